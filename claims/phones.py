"""Phone numbers as people type them, and in E.164 as the store keeps them."""
from __future__ import annotations

import re
import unicodedata

CN_MOBILE = re.compile(r"1[3-9]\d{9}")
_SEPARATORS = re.compile(r"[\s\-().·]+")


def normalise_phone(text: str | None) -> str | None:
    """`138 1234 5678`, `8613812345678`, `+86 138-1234-5678` -> `+8613812345678`; None if not a phone."""
    if not text:
        return None
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    international = compact.startswith("+")
    digits = compact.lstrip("+")
    if not re.fullmatch(r"[0-9]+", digits):
        return None
    if not international and digits.startswith("00"):  # 0086... is dialled from abroad
        digits, international = digits[2:], True
    if digits.startswith("86") and CN_MOBILE.fullmatch(digits[2:]):
        return "+" + digits
    if not international:
        return "+86" + digits if CN_MOBILE.fullmatch(digits) else None
    if digits.startswith("86"):
        return None  # +86 but not a mobile: policyholders register a mobile
    return "+" + digits if 8 <= len(digits) <= 15 and digits[0] != "0" else None
