"""Fast-track triage: small, uninjured, single-vehicle claims skip the survey."""
from __future__ import annotations

from decimal import Decimal
from enum import Enum

from claims.enums import ThirdParty


class EstimateBand(str, Enum):
    """The customer's rough estimate of the repair cost, in CNY."""

    under_2000 = "under_2000"
    from_2000_to_5000 = "from_2000_to_5000"
    from_5000_to_20000 = "from_5000_to_20000"
    over_20000 = "over_20000"
    unknown = "unknown"

    @property
    def upper_bound(self) -> Decimal | None:
        """The highest amount the band stands for; None when open-ended or unknown."""
        return _UPPER_BOUNDS[self]


_UPPER_BOUNDS: dict[EstimateBand, Decimal | None] = {
    EstimateBand.under_2000: Decimal("2000"),
    EstimateBand.from_2000_to_5000: Decimal("5000"),
    EstimateBand.from_5000_to_20000: Decimal("20000"),
    EstimateBand.over_20000: None,
    EstimateBand.unknown: None,
}


class TriageReason(str, Enum):
    """Why a claim is not fast-track."""

    injuries = "injuries"
    third_party = "third_party"
    estimate_over_limit = "estimate_over_limit"
    estimate_unknown = "estimate_unknown"


def band_for_amount(amount: Decimal) -> EstimateBand:
    """The band an amount falls in (a bound belongs to the lower band)."""
    if not isinstance(amount, Decimal):
        raise TypeError("amount must be a Decimal")
    for band in (EstimateBand.under_2000, EstimateBand.from_2000_to_5000, EstimateBand.from_5000_to_20000):
        if amount <= _UPPER_BOUNDS[band]:
            return band
    return EstimateBand.over_20000


def triage_reasons(
    *, injuries: bool, third_party: ThirdParty, estimate: EstimateBand | Decimal, limit: Decimal
) -> list[TriageReason]:
    """The reasons the claim is not fast-track, in the order to explain them; empty when it is."""
    reasons: list[TriageReason] = []
    if injuries:
        reasons.append(TriageReason.injuries)
    if ThirdParty(third_party) is not ThirdParty.none:
        reasons.append(TriageReason.third_party)
    if isinstance(estimate, Decimal):
        amount: Decimal | None = estimate
    elif isinstance(estimate, str):
        band = EstimateBand(estimate)
        if band is EstimateBand.unknown:
            reasons.append(TriageReason.estimate_unknown)
            return reasons
        amount = band.upper_bound
    else:
        raise TypeError("estimate must be an EstimateBand or a Decimal amount")
    if amount is None or amount > limit:  # None: over_20000 has no upper bound
        reasons.append(TriageReason.estimate_over_limit)
    return reasons


def fast_track_eligible(
    *, injuries: bool, third_party: ThirdParty, estimate: EstimateBand | Decimal, limit: Decimal
) -> bool:
    """True only without injuries or third party and with an estimate at or under `limit`."""
    return not triage_reasons(injuries=injuries, third_party=third_party, estimate=estimate, limit=limit)
