"""Net Promoter Score: the 0-10 answer, its category and the follow-up question it gets."""
from __future__ import annotations

from enum import Enum

from claims.enums import NpsFollowUp


class NpsCategory(str, Enum):
    detractor = "detractor"
    passive = "passive"
    promoter = "promoter"


def _checked(score: int) -> int:
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 10:
        raise ValueError(f"an NPS score is an integer from 0 to 10, not {score!r}")
    return score


def nps_category(score: int) -> NpsCategory:
    """0-6 detractor, 7-8 passive, 9-10 promoter."""
    score = _checked(score)
    if score <= 6:
        return NpsCategory.detractor
    return NpsCategory.passive if score <= 8 else NpsCategory.promoter


def follow_up_for_score(score: int) -> NpsFollowUp:
    """The follow-up question: why not (detractor), what to improve (passive), why recommend (promoter)."""
    return {
        NpsCategory.detractor: NpsFollowUp.why_not,
        NpsCategory.passive: NpsFollowUp.improve,
        NpsCategory.promoter: NpsFollowUp.why_recommend,
    }[nps_category(score)]
