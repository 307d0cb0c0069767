"""The roadside cover rule at its edges: policy dates and status, the clause, free calls, towing distance."""
from datetime import date
from decimal import Decimal

import pytest

from claims.enums import PolicyStatus, ServiceType
from claims.roadside.eligibility import (
    PAID_CALL_PRICES, RoadsideRefusal, RoadsideRules, haversine_km, policy_year, roadside_eligibility,
)

RULES = RoadsideRules(free_calls_per_year=2, tow_limit_km=Decimal("50"), price_per_extra_km=Decimal("10"))


def check(**overrides):
    values = dict(policy_status=PolicyStatus.active, starts_on=date(2026, 3, 1), ends_on=date(2027, 2, 28),
                  roadside_cover=True, on=date(2026, 12, 2), calls_used=0, service=ServiceType.jump_start,
                  tow_distance_km=None, rules=RULES)
    return roadside_eligibility(**{**values, **overrides})


def test_an_active_policy_with_cover_and_calls_left_is_covered():
    result = check()
    assert result.covered and result.refusal is None and result.calls_left == 2


@pytest.mark.parametrize("on, covered", [
    (date(2026, 2, 28), False), (date(2026, 3, 1), True), (date(2027, 2, 28), True), (date(2027, 3, 1), False),
])
def test_the_policy_dates_are_inclusive(on, covered):
    result = check(on=on)
    assert result.covered is covered
    if not covered:
        assert result.refusal is RoadsideRefusal.policy_inactive
        assert result.cost == PAID_CALL_PRICES[ServiceType.jump_start]


@pytest.mark.parametrize("status", [PolicyStatus.expired, PolicyStatus.cancelled])
def test_an_expired_or_cancelled_policy_is_refused_even_within_its_dates(status):
    assert check(policy_status=status).refusal is RoadsideRefusal.policy_inactive


def test_a_policy_without_the_clause_is_refused_with_the_price():
    result = check(roadside_cover=False, service=ServiceType.tow)
    assert (result.covered, result.refusal, result.cost) == (False, RoadsideRefusal.no_roadside_cover, Decimal("300"))


@pytest.mark.parametrize("used, covered, left", [(0, True, 2), (1, True, 1), (2, False, 0), (5, False, 0)])
def test_the_free_calls_per_policy_year(used, covered, left):
    result = check(calls_used=used)
    assert (result.covered, result.calls_left) == (covered, left)
    if not covered:
        assert result.refusal is RoadsideRefusal.allowance_used


def test_the_allowance_is_configurable():
    assert check(calls_used=2, rules=RoadsideRules(free_calls_per_year=3)).covered


@pytest.mark.parametrize("km, covered, cost", [
    (Decimal("49.9"), True, None), (Decimal("50.0"), True, None), (Decimal("50.1"), False, Decimal("1.00")),
    (Decimal("83.4"), False, Decimal("334.00")),
])
def test_a_tow_beyond_the_free_distance_costs_the_extra_kilometres(km, covered, cost):
    result = check(service=ServiceType.tow, tow_distance_km=km)
    assert (result.covered, result.cost) == (covered, cost)
    if not covered:
        assert result.refusal is RoadsideRefusal.tow_too_far


def test_the_towing_distance_only_applies_to_tows_and_must_be_decimal():
    assert check(service=ServiceType.fuel, tow_distance_km=Decimal("500")).covered
    with pytest.raises(TypeError):
        check(service=ServiceType.tow, tow_distance_km=80.0)


def test_an_inactive_policy_is_the_first_reason_given():
    result = check(policy_status=PolicyStatus.expired, roadside_cover=False, calls_used=9)
    assert result.refusal is RoadsideRefusal.policy_inactive


@pytest.mark.parametrize("starts, on, expected", [
    (date(2026, 3, 1), date(2026, 12, 2), (date(2026, 3, 1), date(2027, 3, 1))),
    (date(2026, 3, 1), date(2027, 2, 28), (date(2026, 3, 1), date(2027, 3, 1))),
    (date(2025, 3, 1), date(2027, 3, 1), (date(2027, 3, 1), date(2028, 3, 1))),
    (date(2024, 2, 29), date(2025, 2, 28), (date(2025, 2, 28), date(2026, 2, 28))),
    (date(2024, 2, 29), date(2025, 2, 27), (date(2024, 2, 29), date(2025, 2, 28))),
])
def test_the_policy_year(starts, on, expected):
    assert policy_year(starts, on) == expected


def test_distance_between_two_known_points():
    # People's Square to Pudong airport: 0.0861° of latitude (9.57 km) and 0.3346° of longitude at 31.2° N
    # (0.3346 x cos 31.2° x 111.19 = 31.8 km), so sqrt(9.57² + 31.8²) = 33.2 km on a flat approximation.
    assert Decimal("32.9") <= haversine_km(31.2304, 121.4737, 31.1443, 121.8083) <= Decimal("33.5")
    assert haversine_km(31.2304, 121.4737, 31.2304, 121.4737) == Decimal("0.0")
