"""Reading the answer to "How likely are you to recommend us, 0 to 10?" as people type it.

"9", "nine", "9/10", "10 out of 10", "full marks", "九分", "打8分", "满分", "零分". The study asked 1-10, today's
standard is 0-10: every whole number from 0 to 10 is a score. What follows the score is kept as the start of
the reason ("7, the payout took too long"), so the follow-up is not asked for what was already said.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

_EN_WORDS = {
    "zero": 0, "nought": 0, "nil": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_FULL_MARKS = re.compile(r"满分|full marks|top marks|perfect (?:ten|10|score)|\bperfect\b", re.IGNORECASE)
# "9/10", "9 out of 10", "9 of 10", "9分(满分10分)": the scale's 10 is not a second score.
_OUT_OF_TEN = re.compile(r"(?:\s*/\s*|\s+out\s+of\s+|\s+of\s+)(?:10|ten)\b|(?:满分|总分)\s*10\s*分?", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\d.,])-?\d+(?:[.,]\d+)?(?![\d])")
_EN_WORD = re.compile(r"\b(" + "|".join(_EN_WORDS) + r")\b", re.IGNORECASE)
# A Chinese numeral counts only as a score: "九分", "打八分", "评分：七", "给十分" — not "十分满意" (very satisfied),
# "一直" or "三天".
_ZH_SCORE = re.compile(r"(?:打|给|评|评分[:：]?\s*)?([零〇一二两三四五六七八九十])\s*分(?!钟|公司|享|开|期|析|之)")
_ZH_RANGE = re.compile(r"[零〇一二两三四五六七八九十]\s*(?:到|至|或|或者|-|~)\s*[零〇一二两三四五六七八九十]\s*分")
_ZH_VERY = re.compile(r"十分(?=[\u4e00-\u9fff])(?!吧|啊|呀|了|哦|嗯)")
_BETWEEN_CHOICES = re.compile(r"\s*(?:or|to|and|-|–|~|/|或|或者|到|至|、|,|，)\s*", re.IGNORECASE)
_INVALID = -1
_NOT_A_SCORE = {"no", "any", "every", "some", "the", "that", "this", "which", "only"}
_FILLER = re.compile(r"^(?:吧|啦|呗|哈|呀|啊|了)+")
_SEPARATORS = " ,，。.!！;；:：-—~、"


class ScoreProblem(str, Enum):
    none_found = "none_found"  # no number in it
    out_of_range = "out_of_range"  # 11, 100, -1, 7.5
    ambiguous = "ambiguous"  # "7 or 8"


@dataclass(frozen=True)
class ScoreReading:
    """A score from 0 to 10, and what the customer wrote after it (the start of their reason), if anything."""

    score: int
    rest: str = ""


def _rest_after(text: str, end: int) -> str:
    rest = text[end:].strip(_SEPARATORS + "\n\t")
    scale = _OUT_OF_TEN.match(rest)
    rest = rest[scale.end():] if scale else rest
    return _FILLER.sub("", rest).strip(_SEPARATORS + "\n\t")


def read_score(text: str) -> ScoreReading | ScoreProblem:
    """The NPS score in a typed answer, or why there is none."""
    text = (text or "").strip()
    if not text:
        return ScoreProblem.none_found
    candidates: list[tuple[int, int, int]] = []  # (start, end, value or _INVALID)
    scale = [m.span() for m in _OUT_OF_TEN.finditer(text)]

    def part_of_scale(start: int) -> bool:
        return any(s <= start < e for s, e in scale)

    for match in _NUMBER.finditer(text):
        if part_of_scale(match.start()):
            continue
        raw = match.group(0).replace(",", ".")
        value = int(raw) if raw.lstrip("-").isdigit() else _INVALID
        end = match.end()
        scale_after = next((e for s, e in scale if text[end:s].strip() == "" and s >= end), None)
        if scale_after is not None:
            end = scale_after
        unit = re.match(r"\s*分", text[end:])
        if unit:
            end += unit.end()
        candidates.append((match.start(), end, value if 0 <= value <= 10 else _INVALID))
    for match in _EN_WORD.finditer(text):
        # "nine", "a solid eight": a word near the start; "no one called me back" is not a 1.
        before = text[:match.start()].lower().split()
        if len(before) <= 3 and not (before and before[-1] in _NOT_A_SCORE) and not part_of_scale(match.start()):
            end = match.end()
            scale_after = next((e for s, e in scale if s == end), None)
            candidates.append((match.start(), scale_after or end, _EN_WORDS[match.group(1).lower()]))
    if _ZH_RANGE.search(text):
        return ScoreProblem.ambiguous
    very = [m.start() for m in _ZH_VERY.finditer(text)]
    for match in _ZH_SCORE.finditer(text):
        if match.start(1) not in very:
            candidates.append((match.start(), match.end(), _ZH_DIGITS[match.group(1)]))
    if not candidates:
        full = _FULL_MARKS.search(text)
        if full:
            return ScoreReading(10, _rest_after(text, full.end()))
        return ScoreProblem.none_found
    candidates.sort()
    start, end, value = candidates[0]
    if value == _INVALID:
        return ScoreProblem.out_of_range
    # "7 or 8", "7-8", "七到八分": two scores offered, none chosen. Later numbers belong to the reason
    # ("9, paid within 2 days").
    if len(candidates) > 1 and _BETWEEN_CHOICES.fullmatch(text[end:candidates[1][0]]):
        return ScoreProblem.ambiguous
    return ScoreReading(value, _rest_after(text, end))
