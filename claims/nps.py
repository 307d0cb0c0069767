"""Net Promoter Score: the 0-10 answer, its category and the follow-up question it gets."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
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


def net_promoter_score(promoters: int, passives: int, detractors: int) -> Decimal | None:
    """(promoters - detractors) / everyone who scored, in points from -100 to 100, to 2 decimals.

    The study's own figures: 1,149 promoters, 498 passives and 66 detractors of 1,713 give 63.22.
    None when nobody scored."""
    counts = (promoters, passives, detractors)
    if any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in counts):
        raise ValueError(f"counts are whole numbers from 0, not {counts!r}")
    total = sum(counts)
    if total == 0:
        return None
    return (Decimal(promoters - detractors) * 100 / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def share(part: int, whole: int) -> Decimal | None:
    """`part` of `whole` as a percentage to 1 decimal; None of nothing."""
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
