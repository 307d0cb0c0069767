"""Whether a roadside request is covered: one rule, with the reason and what to do when it is not.

Covered when the policy is active on the day and includes the roadside clause, its free calls for the
policy year are not used up (two a year in the common Chinese clause), and a tow stays within the free
towing distance. A refusal carries what it would cost or whom to call, so the customer is never left
with a bare "no".
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from claims.enums import PolicyStatus, RoadsideStatus, ServiceType
from claims.money import to_money


class RoadsideRefusal(str, Enum):
    policy_inactive = "policy_inactive"  # expired, cancelled or not started on the day
    no_roadside_cover = "no_roadside_cover"
    allowance_used = "allowance_used"
    tow_too_far = "tow_too_far"


# What a call costs when it is not covered, as the provider's public price list says (CNY).
PAID_CALL_PRICES: dict[ServiceType, Decimal] = {
    ServiceType.tow: Decimal("300"),
    ServiceType.jump_start: Decimal("150"),
    ServiceType.tyre_change: Decimal("150"),
    ServiceType.fuel: Decimal("150"),
    ServiceType.lockout: Decimal("200"),
    ServiceType.winch: Decimal("400"),
}
# A call uses the allowance unless it ended without help being given.
NOT_COUNTED = frozenset({RoadsideStatus.cancelled, RoadsideStatus.declined, RoadsideStatus.gone_on_arrival})


@dataclass(frozen=True)
class RoadsideRules:
    free_calls_per_year: int = 2
    tow_limit_km: Decimal = Decimal("50")
    price_per_extra_km: Decimal = Decimal("10")


@dataclass(frozen=True)
class Eligibility:
    covered: bool
    refusal: RoadsideRefusal | None = None
    calls_left: int | None = None  # free calls left this policy year, this one included
    cost: Decimal | None = None  # what the customer would pay without cover (or for the extra distance)


def policy_year(starts_on: date, on: date) -> tuple[date, date]:
    """The policy year containing `on`: [anniversary, next anniversary). 29 February falls back to the 28th."""
    def anniversary(year: int) -> date:
        try:
            return starts_on.replace(year=year)
        except ValueError:
            return starts_on.replace(year=year, day=28)

    start = anniversary(on.year)
    if start > on:
        start = anniversary(on.year - 1)
    return start, anniversary(start.year + 1)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> Decimal:
    """Great-circle distance in km, to one decimal."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlam = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlam / 2) ** 2
    km = 2 * 6371.0088 * math.asin(math.sqrt(a))
    return Decimal(str(km)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def roadside_eligibility(
    *,
    policy_status: PolicyStatus,
    starts_on: date,
    ends_on: date,
    roadside_cover: bool,
    on: date,
    calls_used: int,
    service: ServiceType,
    tow_distance_km: Decimal | None,
    rules: RoadsideRules,
) -> Eligibility:
    """The rule. `calls_used` counts this policy year's calls that count (NOT_COUNTED excluded);
    `tow_distance_km` is the distance to the nearest partner garage when known, else None (not checked)."""
    price = PAID_CALL_PRICES[service]
    if policy_status is not PolicyStatus.active or not (starts_on <= on <= ends_on):
        return Eligibility(False, RoadsideRefusal.policy_inactive, cost=price)
    if not roadside_cover:
        return Eligibility(False, RoadsideRefusal.no_roadside_cover, cost=price)
    if calls_used >= rules.free_calls_per_year:
        return Eligibility(False, RoadsideRefusal.allowance_used, calls_left=0, cost=price)
    if service is ServiceType.tow and tow_distance_km is not None:
        if not isinstance(tow_distance_km, Decimal):
            raise TypeError("tow_distance_km must be a Decimal")
        if tow_distance_km > rules.tow_limit_km:
            extra = tow_distance_km - rules.tow_limit_km
            return Eligibility(False, RoadsideRefusal.tow_too_far, calls_left=rules.free_calls_per_year - calls_used,
                               cost=to_money(extra * rules.price_per_extra_km))
    return Eligibility(True, calls_left=rules.free_calls_per_year - calls_used)
