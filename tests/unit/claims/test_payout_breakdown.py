"""Payout breakdown: lines that add up, rounding, the zero floor, floats refused."""
from decimal import Decimal as D

import pytest

from claims.payout import PayoutLine, payout_breakdown


def _adds_up(breakdown):
    lines = {line.key: line.amount for line in breakdown.lines}
    assert lines["parts"] + lines["labour"] == lines["subtotal"]
    assert lines["subtotal"] + lines["deductible"] + lines["depreciation"] + lines["salvage"] == breakdown.payout


def test_ordinary_payout_and_line_order():
    breakdown = payout_breakdown(parts=D("3960.66"), labour=D("2132.66"), deductible=D("1000"),
                                 depreciation=D("198.03"), salvage=D("180"))
    assert [line.key for line in breakdown.lines] == [
        "parts", "labour", "subtotal", "deductible", "depreciation", "salvage"]
    assert breakdown.payout == D("4715.29")
    assert breakdown.amount("deductible") == D("-1000.00")
    assert breakdown.deductible_applied == D("1000.00")
    assert breakdown.lines[0] == PayoutLine("parts", D("3960.66"))
    _adds_up(breakdown)


def test_amounts_are_quantized_half_up():
    breakdown = payout_breakdown(parts=D("100.005"), labour=D("0.004"), deductible=D("0.015"))
    assert breakdown.amount("parts") == D("100.01")
    assert breakdown.amount("labour") == D("0.00")
    assert breakdown.deductible_applied == D("0.02")
    assert breakdown.payout == D("99.99")
    assert str(breakdown.payout) == "99.99"
    _adds_up(breakdown)


def test_payout_never_goes_below_zero_and_deductible_shows_what_was_applied():
    breakdown = payout_breakdown(parts=D("800"), labour=D("200"), deductible=D("2000"), depreciation=D("100"))
    assert breakdown.payout == D("0.00")
    assert breakdown.deductible_applied == D("900.00")
    assert breakdown.amount("depreciation") == D("-100.00")
    _adds_up(breakdown)


def test_deductions_beyond_the_loss_are_capped_in_order():
    breakdown = payout_breakdown(parts=D("500"), labour=D("0"), deductible=D("300"),
                                 depreciation=D("400"), salvage=D("400"))
    assert breakdown.amount("depreciation") == D("-400.00")
    assert breakdown.amount("salvage") == D("-100.00")
    assert breakdown.amount("deductible") == D("0.00")
    assert str(breakdown.amount("deductible")) == "0.00"  # not "-0.00"
    assert breakdown.payout == D("0.00")
    _adds_up(breakdown)


def test_exactly_the_deductible_pays_nothing_one_cent_more_pays_one_cent():
    assert payout_breakdown(parts=D("500"), labour=D("0"), deductible=D("500")).payout == D("0.00")
    assert payout_breakdown(parts=D("500.01"), labour=D("0"), deductible=D("500")).payout == D("0.01")


@pytest.mark.parametrize("field", ["parts", "labour", "deductible", "depreciation", "salvage"])
def test_floats_are_refused(field):
    values = dict(parts=D("100"), labour=D("10"), deductible=D("0"))
    values[field] = 10.5
    with pytest.raises(TypeError, match=field):
        payout_breakdown(**values)


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError, match="salvage"):
        payout_breakdown(parts=D("100"), labour=D("10"), deductible=D("0"), salvage=D("-1"))


def test_integers_are_accepted_as_exact_amounts():
    assert payout_breakdown(parts=1000, labour=250, deductible=500).payout == D("750.00")
