"""Masking of personal data for display and logs: phones, plates, bank cards, ID numbers."""
from __future__ import annotations

import logging
import re

from claims.vehicles import PROVINCES, normalise_plate

_HIDDEN = "******"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def mask_phone(phone: str) -> str:
    """`+8613812345678` -> `+86******5678`: the country code and the last four digits only."""
    compact = re.sub(r"[^\d+]", "", phone)
    digits = _digits(compact)
    if len(digits) < 7:
        return _HIDDEN
    prefix = compact[:3] if compact.startswith("+") else ""
    return f"{prefix}{_HIDDEN}{digits[-4:]}"


def mask_plate(plate: str) -> str:
    """`沪A12345` -> `沪A***45`: province, city letter and the last two characters."""
    compact = normalise_plate(plate) or re.sub(r"[\s·.\-]", "", plate).upper()
    if len(compact) < 5:
        return "*" * len(compact)
    return compact[:2] + "*" * (len(compact) - 4) + compact[-2:]


def mask_card(card: str) -> str:
    """`6222021234567890123` -> `****0123`."""
    digits = _digits(card)
    return "****" + digits[-4:] if len(digits) >= 8 else "****"


def mask_id_number(id_number: str) -> str:
    """`11010119900307123X` -> `**************123X`: the last four characters only."""
    compact = re.sub(r"\s", "", id_number).upper()
    return "*" * max(len(compact) - 4, 0) + compact[-4:] if len(compact) >= 8 else "*" * len(compact)


# Longest and most specific first, so that a card number is not half-masked as a phone.
_PATTERNS: tuple[tuple[re.Pattern[str], object], ...] = (
    (re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])"), mask_id_number),  # resident ID number
    (re.compile(r"(?<![\d+])\d(?:[ -]?\d){15,18}(?!\d)"), mask_card),  # 16-19 digit card, maybe grouped
    (re.compile(r"\+\d{1,3}[ -]?\d(?:[ -]?\d){6,13}(?!\d)"), mask_phone),  # E.164
    (re.compile(r"(?<![\d+])(?:0{0,2}86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)"), mask_phone),  # CN mobile
    (re.compile(rf"[{PROVINCES}][A-Za-z][\s·.\-]?[A-Za-z0-9]{{4,5}}[A-Za-z0-9学警挂港澳领](?![A-Za-z0-9])"),
     mask_plate),
)


def mask_personal_data(text: str) -> str:
    """`text` with every phone, ID number, card number and plate masked."""
    for pattern, mask in _PATTERNS:
        text = pattern.sub(lambda match: mask(match.group(0)), text)  # type: ignore[operator]
    return text


class PersonalDataFilter(logging.Filter):
    """Masks personal data in a record's message, its args and its traceback; attach it to handlers."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: let logging report it as usual
            return True
        record.msg, record.args = mask_personal_data(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        return True
