"""Telegram's parse_mode handling: text with markup -> plain text and entities, or Telegram's error."""

from __future__ import annotations

import html
import re

from telegram_simulator.store import bad_request, utf16_len

MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")

_HTML_ENTITY_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_TAG = re.compile(
    r"""<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>"']+))?)*)\s*>"""
)
_ATTR = re.compile(r"""([a-zA-Z_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")
_CHARREF = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_MDV2_MARKERS = {"*": "bold", "_": "italic", "__": "underline", "~": "strikethrough", "||": "spoiler"}


def parse(text: str, parse_mode: str | None, entities: list | None = None) -> tuple[str, list[dict]]:
    """Plain text and entities for text sent with parse_mode (or explicit entities)."""
    mode = (parse_mode or "").lower()
    if not mode:
        return text, list(entities or [])
    if mode == "html":
        return _Builder(text).html()
    if mode == "markdownv2":
        return _Builder(text).markdown_v2()
    if mode == "markdown":
        return _Builder(text).markdown()
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


class _Builder:
    """Accumulates plain text and entities (UTF-16 offsets) while a markup parser walks the source."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.parts: list[str] = []
        self.offset = 0  # UTF-16 length of the plain text so far
        self.entities: list[dict] = []

    def emit(self, chunk: str) -> None:
        self.parts.append(chunk)
        self.offset += utf16_len(chunk)

    def open(self, kind: str, **extra) -> dict:
        return {"type": kind, "offset": self.offset, **extra}

    def close(self, entity: dict) -> None:
        entity["length"] = self.offset - entity["offset"]
        if entity["length"] > 0 and entity["type"]:
            self.entities.append(entity)

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def error(self, reason: str) -> Exception:
        return bad_request(f"can't parse entities: {reason}")

    def result(self) -> tuple[str, list[dict]]:
        self.entities.sort(key=lambda e: (e["offset"], -e["length"]))
        return "".join(self.parts), self.entities

    def html(self) -> tuple[str, list[dict]]:
        """Telegram's HTML subset; unknown tags and unbalanced tags are errors."""
        text, i, stack = self.source, 0, []
        while i < len(text):
            char = text[i]
            if char == "<":
                match = _TAG.match(text, i)
                if not match:
                    raise self.error(f"Unexpected end of name token at byte offset {self.byte_offset(i)}")
                closing, tag = match.group(1) == "/", match.group(2).lower()
                if tag not in _HTML_ENTITY_TYPES:
                    kind = "end" if closing else "start"
                    raise self.error(f'Unsupported {kind} tag "{tag}" at byte offset {self.byte_offset(i)}')
                if closing:
                    if not stack:
                        raise self.error(f'Unexpected end tag at byte offset {self.byte_offset(i)}')
                    open_tag, entity = stack.pop()
                    if open_tag != tag:
                        raise self.error(
                            f'Unmatched end tag at byte offset {self.byte_offset(i)}, '
                            f'expected "</{open_tag}>", found "</{tag}>"'
                        )
                    self.close(entity)
                else:
                    attrs = {m.group(1).lower(): next((g for g in m.groups()[1:] if g is not None), "")
                             for m in _ATTR.finditer(match.group(3))}
                    stack.append((tag, self._html_entity(tag, attrs, stack, i)))
                i = match.end()
            elif char == "&" and (ref := _CHARREF.match(text, i)):
                self.emit(html.unescape(ref.group(0)))
                i = ref.end()
            else:
                self.emit(char)
                i += 1
        if stack:
            raise self.error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
        return self.result()

    def _html_entity(self, tag: str, attrs: dict, stack: list, index: int) -> dict:
        kind = _HTML_ENTITY_TYPES[tag]
        if tag == "span" and attrs.get("class") != "tg-spoiler":
            raise self.error(f'Tag "span" must have class "tg-spoiler" at byte offset {self.byte_offset(index)}')
        if tag == "a":
            return self.open("text_link", url=attrs["href"]) if attrs.get("href") else self.open("")
        if tag == "tg-emoji":
            return self.open(kind, custom_emoji_id=attrs.get("emoji-id", ""))
        if tag == "blockquote" and "expandable" in attrs:
            return self.open("expandable_blockquote")
        if tag == "code" and stack and stack[-1][0] == "pre":
            # <pre><code class="language-x"> is one pre entity with a language
            language = attrs.get("class", "").removeprefix("language-")
            if language:
                stack[-1][1]["language"] = language
            return self.open("")
        return self.open(kind)

    def markdown_v2(self) -> tuple[str, list[dict]]:
        """MarkdownV2: reserved characters must be escaped, entities must be closed."""
        text, i, stack = self.source, 0, []  # stack of (marker, entity, source index)
        while i < len(text):
            char = text[i]
            top = stack[-1][0] if stack else None
            if char == "\\" and i + 1 < len(text) and 0 < ord(text[i + 1]) < 127:
                self.emit(text[i + 1])
                i += 2
            elif top in ("`", "```"):
                if text.startswith(top, i):
                    self.close(stack.pop()[1])
                    i += len(top)
                else:
                    self.emit(char)
                    i += 1
            elif text.startswith("```", i):
                i = self._open_pre(stack, i)
            elif char == "`":
                stack.append(("`", self.open("code"), i))
                i += 1
            elif (marker := next((m for m in ("||", "__", "*", "_", "~") if text.startswith(m, i)), None)):
                if top == marker:
                    self.close(stack.pop()[1])
                elif any(m == marker for m, _, _ in stack):
                    raise self._unclosed(stack[-1])
                else:
                    stack.append((marker, self.open(_MDV2_MARKERS[marker]), i))
                i += len(marker)
            elif char == "[":
                stack.append(("[", self.open("text_link"), i))
                i += 1
            elif char == "]" and top == "[":
                i = self._close_link(stack, i)
            elif char == ">" and (i == 0 or text[i - 1] == "\n"):
                if top != ">":
                    stack.append((">", self.open("blockquote"), i))
                i += 1
            elif char == "\n" and top == ">" and not text.startswith(">", i + 1):
                self.close(stack.pop()[1])
                self.emit(char)
                i += 1
            elif char in MDV2_RESERVED:
                raise self.error(
                    f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
                )
            else:
                self.emit(char)
                i += 1
        if stack and stack[-1][0] == ">":
            self.close(stack.pop()[1])
        if stack:
            raise self._unclosed(stack[-1])
        return self.result()

    def _open_pre(self, stack: list, i: int) -> int:
        start, i = i, i + 3
        newline = self.source.find("\n", i)
        first_line = self.source[i:newline] if newline >= 0 else ""
        entity = self.open("pre")
        if newline >= 0 and first_line and " " not in first_line and "`" not in first_line:
            entity["language"] = first_line
            i = newline + 1
        stack.append(("```", entity, start))
        return i

    def _close_link(self, stack: list, i: int) -> int:
        text = self.source
        if not text.startswith("(", i + 1):
            raise self.error("Character ']' is reserved and must be escaped with the preceding '\\'")
        url, j = [], i + 2
        while j < len(text) and text[j] != ")":
            if text[j] == "\\" and j + 1 < len(text):
                j += 1
            url.append(text[j])
            j += 1
        if j >= len(text):
            raise self._unclosed(stack[-1])
        _, entity, _ = stack.pop()
        entity["url"] = "".join(url)
        self.close(entity)
        return j + 1

    def _unclosed(self, item: tuple) -> Exception:
        marker, entity, index = item
        name = {"text_link": "TextUrl", "pre": "Pre", "code": "Code"}.get(
            entity["type"], entity["type"].capitalize()
        )
        return self.error(f"Can't find end of {name} entity at byte offset {self.byte_offset(index)}")

    def markdown(self) -> tuple[str, list[dict]]:
        """Legacy Markdown: *bold* _italic_ `code` ```pre``` [text](url), no nesting."""
        text, i = self.source, 0
        while i < len(text):
            char = text[i]
            if char == "\\" and text[i + 1:i + 2] in ("_", "*", "`", "["):
                self.emit(text[i + 1])
                i += 2
                continue
            if char not in "*_`[":
                self.emit(char)
                i += 1
                continue
            unclosed = self.error(
                f"Can't find end of the entity starting at byte offset {self.byte_offset(i)}"
            )
            if text.startswith("```", i):
                end = text.find("```", i + 3)
                if end < 0:
                    raise unclosed
                body = text[i + 3:end]
                language, _, rest = body.partition("\n")
                entity = self.open("pre", language=language) if rest and language.strip() else self.open("pre")
                self.emit(rest if "language" in entity else body)
                self.close(entity)
                i = end + 3
            elif char == "[":
                end = text.find("]", i + 1)
                url_end = text.find(")", end + 1) if end >= 0 else -1
                if end < 0 or not text.startswith("(", end + 1) or url_end < 0:
                    raise unclosed
                entity = self.open("text_link", url=text[end + 2:url_end])
                self.emit(text[i + 1:end])
                self.close(entity)
                i = url_end + 1
            else:
                end = text.find(char, i + 1)
                if end < 0:
                    raise unclosed
                entity = self.open({"*": "bold", "_": "italic", "`": "code"}[char])
                self.emit(text[i + 1:end])
                self.close(entity)
                i = end + 1
        return self.result()
