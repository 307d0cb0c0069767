"""The training data's own contract: enough varied examples per intent and language, one label per text, and
nothing of the held-out sets in it (they would measure memory, not understanding)."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
TRAINING = ROOT / "nlu_data" / "nlu"
HELDOUT = ROOT / "tests" / "nlu" / "heldout"
CJK = re.compile(r"[\u4e00-\u9fff]")
ANNOTATION = re.compile(r"\[([^\]]+)\]\((?:[^)]+)\)|\[([^\]]+)\]\{[^}]+\}")
# Intents sent by buttons only (no examples by design), and the retrieval intent counted per question.
BUTTON_ONLY = {"choose_answer"}
MIN_PER_INTENT = 60
MIN_OUT_OF_SCOPE = 100
MIN_PER_FAQ_QUESTION = 14


def language_of(text: str) -> str:
    return "zh" if CJK.search(text) else "en"


def normalised(text: str) -> str:
    """Annotations resolved, NFKC, lower case, without spaces and punctuation: "Hi!" and "hi" are one text."""
    text = ANNOTATION.sub(lambda m: m.group(1) or m.group(2), text)
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum())


def examples(folder: Path) -> list[tuple[str, str, Path]]:
    """(intent, text, file) for every example under `folder`."""
    found = []
    for path in sorted(folder.rglob("*.yml")):
        for block in (YAML(typ="safe").load(path) or {}).get("nlu", []):
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    found.append((block["intent"], line.strip()[2:].strip(), path))
    return found


TRAINING_EXAMPLES = examples(TRAINING)


def counts() -> Counter:
    return Counter((intent.split("/")[0] if intent.startswith("faq/") else intent, language_of(text))
                   for intent, text, _ in TRAINING_EXAMPLES)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_intent_has_enough_examples_in_each_language(language):
    per_intent = counts()
    intents = {intent for intent, _ in per_intent} - BUTTON_ONLY
    short = {intent: per_intent[intent, language] for intent in intents
             if per_intent[intent, language] < (MIN_OUT_OF_SCOPE if intent == "out_of_scope" else MIN_PER_INTENT)}
    assert not short, f"too few {language} examples: {short}"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_faq_question_has_enough_examples_in_each_language(language):
    per_question = Counter(intent for intent, text, _ in TRAINING_EXAMPLES
                           if intent.startswith("faq/") and language_of(text) == language)
    assert len(per_question) == 20
    assert min(per_question.values()) >= MIN_PER_FAQ_QUESTION, per_question.most_common()[-3:]


def test_no_text_has_two_labels():
    labels = defaultdict(set)
    for intent, text, _ in TRAINING_EXAMPLES:
        labels[normalised(text)].add(intent)
    twice = {text: sorted(intents) for text, intents in labels.items() if len(intents) > 1}
    assert not twice, twice


def short_message(text: str) -> bool:
    """"hi", "yes", "取消": the commonest messages, in any training set and in any fair test of it."""
    return len(text.split()) <= 2 if language_of(text) == "en" else len(normalised(text)) <= 4


# The held-out writers never saw the training data, yet common phrasing meets it ("where is my claim"): of the
# held-out messages longer than a short reply, 36 of 378 (en) and 36 of 390 (zh) are also training examples
# (2026-12-03). The ceiling leaves room for a few more such collisions, not for copying the set.
COLLISION_CEILING = 0.11


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_held_out_set_is_not_copied_into_training(language):
    trained = {normalised(text) for _, text, _ in TRAINING_EXAMPLES}
    longer = [text for _, text, path in examples(HELDOUT) if path.stem == language and not short_message(text)]
    collisions = [text for text in longer if normalised(text) in trained]
    assert len(collisions) <= COLLISION_CEILING * len(longer), collisions


def test_button_only_intents_have_no_examples():
    assert not [text for intent, text, _ in TRAINING_EXAMPLES if intent in BUTTON_ONLY]
