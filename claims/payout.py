"""How a payout is computed from the assessed repair cost, shown line by line to the customer."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from claims.money import to_money

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PayoutLine:
    """One line of the breakdown; deductions carry negative amounts."""

    key: str  # parts, labour, subtotal, deductible, depreciation, salvage
    amount: Decimal


@dataclass(frozen=True)
class PayoutBreakdown:
    """The lines in display order and the payout they add up to."""

    lines: tuple[PayoutLine, ...]
    payout: Decimal

    def amount(self, key: str) -> Decimal:
        """The amount of the line called `key`."""
        for line in self.lines:
            if line.key == key:
                return line.amount
        raise KeyError(key)

    @property
    def deductible_applied(self) -> Decimal:
        """The part of the deductible actually taken off (positive)."""
        return abs(self.amount("deductible"))


def _non_negative(value: Decimal, name: str) -> Decimal:
    amount = to_money(value, name=name)
    if amount < 0:
        raise ValueError(f"{name} must not be negative")
    return amount


def payout_breakdown(
    *,
    parts: Decimal,
    labour: Decimal,
    deductible: Decimal,
    depreciation: Decimal = Decimal(0),
    salvage: Decimal = Decimal(0),
) -> PayoutBreakdown:
    """Payout = max(0, parts + labour - deductible - depreciation - salvage), with lines that add up to it."""
    parts = _non_negative(parts, "parts")
    labour = _non_negative(labour, "labour")
    deductible = _non_negative(deductible, "deductible")
    depreciation = _non_negative(depreciation, "depreciation")
    salvage = _non_negative(salvage, "salvage")

    subtotal = parts + labour
    # Depreciation and salvage reduce the loss first; the deductible applies to what is left,
    # and each deduction is capped so that the lines still add up when they exceed the loss.
    depreciation_applied = min(depreciation, subtotal)
    salvage_applied = min(salvage, subtotal - depreciation_applied)
    deductible_applied = min(deductible, subtotal - depreciation_applied - salvage_applied)
    payout = subtotal - depreciation_applied - salvage_applied - deductible_applied

    def minus(amount: Decimal) -> Decimal:
        return -amount if amount else ZERO  # never show "-0.00"

    return PayoutBreakdown(
        lines=(
            PayoutLine("parts", parts),
            PayoutLine("labour", labour),
            PayoutLine("subtotal", subtotal),
            PayoutLine("deductible", minus(deductible_applied)),
            PayoutLine("depreciation", minus(depreciation_applied)),
            PayoutLine("salvage", minus(salvage_applied)),
        ),
        payout=payout,
    )
