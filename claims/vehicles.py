"""Chinese number plates and VINs as people type them, and as the store keeps them."""
from __future__ import annotations

import re
import unicodedata

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# Ordinary plates have 5 serial characters, new-energy plates 6; some end in a use character (学 learner...).
_PLATE = re.compile(rf"[{PROVINCES}][A-Z](?:[A-Z0-9]{{5,6}}|[A-Z0-9]{{4}}[学警挂港澳领])")
_SEPARATORS = re.compile(r"[\s·•・‧.\-_]+")
_VIN = re.compile(r"[A-HJ-NPR-Z0-9]{17}")  # I, O and Q are never used in a VIN
_VIN_VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9))),
               **dict(zip("JKLMN", range(1, 6))), "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def normalise_plate(text: str | None) -> str | None:
    """`沪a·123 45` -> `沪A12345`; None when it is not a Chinese plate."""
    if not text:
        return None
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text)).upper()
    if not _PLATE.fullmatch(compact) or not any(ch.isdigit() for ch in compact[2:]):
        return None
    return compact


def vin_check_digit(vin: str) -> str:
    """The check character (position 9) of a 17-character VIN, as GB 16735 / ISO 3779 compute it."""
    total = sum(_VIN_VALUES[ch] * weight for ch, weight in zip(vin.upper(), _VIN_WEIGHTS))
    return "X" if total % 11 == 10 else str(total % 11)


def normalise_vin(text: str | None) -> str | None:
    """Uppercase 17-character VIN without spaces, or None when malformed or its check digit is wrong."""
    if not text:
        return None
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper()
    if not _VIN.fullmatch(compact) or compact[8] != vin_check_digit(compact):
        return None
    return compact
