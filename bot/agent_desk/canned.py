"""Canned replies for agents, from a YAML file (CANNED_REPLIES_FILE): key -> {en: ..., zh: ...}."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.texts import pick

PREVIEW_CHARS = 60


@dataclass(frozen=True)
class CannedReplies:
    """The configured replies; each has an English text and may have a Chinese one."""

    replies: dict[str, dict[str, str]]

    @classmethod
    def load(cls, path: Path) -> CannedReplies:
        """Read and check the file; a missing file means no canned replies."""
        if not path.exists():
            return cls({})
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict):
            raise ValueError(f"{path}: expected a mapping of reply keys to {{en: ..., zh: ...}}")
        replies: dict[str, dict[str, str]] = {}
        for key, variants in raw.items():
            if not isinstance(variants, dict) or not isinstance(variants.get("en"), str):
                raise ValueError(f"{path}: canned reply {key!r} needs at least an 'en' text")
            replies[str(key).lower()] = {lang: str(words) for lang, words in variants.items()}
        return cls(replies)

    def __contains__(self, key: str) -> bool:
        return key in self.replies

    def keys(self) -> Iterator[str]:
        return iter(self.replies)

    def text(self, key: str, language: str, *, agent: str) -> str:
        """The reply in the customer's language, signed with the agent's name where it says {agent}."""
        return pick(self.replies[key], language).replace("{agent}", agent)

    def preview(self, language: str) -> str:
        """One line per reply, for the /reply list."""
        lines = []
        for key, variants in self.replies.items():
            words = pick(variants, language)
            lines.append(f"• {key}: {words[:PREVIEW_CHARS]}{'…' if len(words) > PREVIEW_CHARS else ''}")
        return "\n".join(lines)
