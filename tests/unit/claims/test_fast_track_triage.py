"""Fast-track triage at its edges."""
from decimal import Decimal as D

import pytest

from claims.enums import ThirdParty
from claims.triage import EstimateBand, TriageReason, band_for_amount, fast_track_eligible, triage_reasons

LIMIT = D("5000")


def eligible(estimate, *, injuries=False, third_party=ThirdParty.none, limit=LIMIT):
    return fast_track_eligible(injuries=injuries, third_party=third_party, estimate=estimate, limit=limit)


def test_amount_at_the_limit_is_fast_track_one_cent_over_is_not():
    assert eligible(D("5000"))
    assert eligible(D("5000.00"))
    assert not eligible(D("5000.01"))


def test_band_upper_bound_is_compared_with_the_limit():
    assert eligible(EstimateBand.from_2000_to_5000)
    assert not eligible(EstimateBand.from_2000_to_5000, limit=D("4000"))
    assert eligible(EstimateBand.under_2000, limit=D("2000"))
    assert not eligible(EstimateBand.from_5000_to_20000)
    assert not eligible(EstimateBand.over_20000, limit=D("1000000"))


def test_unknown_estimate_injuries_or_third_party_are_never_fast_track():
    assert not eligible(EstimateBand.unknown)
    assert not eligible(D("100"), injuries=True)
    for party in (ThirdParty.other_vehicle, ThirdParty.property, ThirdParty.pedestrian):
        assert not eligible(D("100"), third_party=party)


def test_reasons_explain_every_failed_rule_in_order():
    reasons = triage_reasons(injuries=True, third_party=ThirdParty.pedestrian,
                             estimate=EstimateBand.over_20000, limit=LIMIT)
    assert reasons == [TriageReason.injuries, TriageReason.third_party, TriageReason.estimate_over_limit]
    assert triage_reasons(injuries=False, third_party="none", estimate="unknown", limit=LIMIT) == [
        TriageReason.estimate_unknown]
    assert triage_reasons(injuries=False, third_party=ThirdParty.none, estimate=D("4999.99"), limit=LIMIT) == []


def test_float_estimates_are_refused():
    with pytest.raises(TypeError):
        eligible(4999.0)


def test_band_for_amount_puts_bounds_in_the_lower_band():
    assert band_for_amount(D("2000")) is EstimateBand.under_2000
    assert band_for_amount(D("2000.01")) is EstimateBand.from_2000_to_5000
    assert band_for_amount(D("5000")) is EstimateBand.from_2000_to_5000
    assert band_for_amount(D("20000.01")) is EstimateBand.over_20000
    assert EstimateBand.over_20000.upper_bound is None
    assert EstimateBand.from_5000_to_20000.upper_bound == D("20000")
