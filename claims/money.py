"""Money is Decimal, quantized to cents with ROUND_HALF_UP."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_money(value: Decimal | int, *, name: str = "amount") -> Decimal:
    """Quantize a Decimal (or int) to cents; floats are refused because they are already inexact."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite():
        raise ValueError(f"{name} must be a finite amount")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
