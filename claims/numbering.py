"""Claim numbers (CLM-2026-004217) and roadside references (RSA-2026-000123): year + sequence per year."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from claims.models import Claim, RoadsideRequest

CLAIM_NUMBER_PATTERN = re.compile(r"CLM-(\d{4})-(\d{6})")
ROADSIDE_REFERENCE_PATTERN = re.compile(r"RSA-(\d{4})-(\d{6})")
# What people type: any case, with spaces, hyphens or nothing between the parts, a short sequence.
_LOOSE = r"(?<![A-Za-z0-9]){prefix}[\s\-_/]*(20\d\d)[\s\-_/]*(\d{{1,6}})(?![0-9])"
_LOOSE_CLAIM = re.compile(_LOOSE.format(prefix="CLM"), re.IGNORECASE)
_LOOSE_ROADSIDE = re.compile(_LOOSE.format(prefix="RSA"), re.IGNORECASE)


def _format(prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}-{year:04d}-{sequence:06d}"


def _normalise(pattern: re.Pattern[str], prefix: str, text: str | None, *, anywhere: bool) -> str | None:
    if not text:
        return None
    text = unicodedata.normalize("NFKC", text)  # full-width letters, digits and hyphens from Chinese keyboards
    match = pattern.search(text) if anywhere else pattern.fullmatch(text.strip())
    if not match or int(match.group(2)) == 0:
        return None
    return _format(prefix, int(match.group(1)), int(match.group(2)))


def normalise_claim_number(text: str | None) -> str | None:
    """`clm-2026-4217`, `CLM 2026 004217`, `CLM2026004217` -> `CLM-2026-004217`; None otherwise."""
    return _normalise(_LOOSE_CLAIM, "CLM", text, anywhere=False)


def find_claim_number(text: str | None) -> str | None:
    """The first claim number mentioned anywhere in a message, normalised."""
    return _normalise(_LOOSE_CLAIM, "CLM", text, anywhere=True)


def normalise_roadside_reference(text: str | None) -> str | None:
    """`rsa 2026 123` -> `RSA-2026-000123`; None otherwise."""
    return _normalise(_LOOSE_ROADSIDE, "RSA", text, anywhere=False)


def _next(session: Session, column: InstrumentedAttribute[str], prefix: str, year: int) -> str:
    # Zero-padded, so the greatest string is the greatest sequence. Two concurrent callers can get the
    # same number: the unique constraint refuses the second insert and the caller retries.
    latest = session.scalar(select(func.max(column)).where(column.like(f"{prefix}-{year:04d}-%")))
    sequence = int(latest.rsplit("-", 1)[1]) + 1 if latest else 1
    return _format(prefix, year, sequence)


def next_claim_number(session: Session, *, year: int) -> str:
    """The next free claim number of `year` (the year the claim is reported)."""
    return _next(session, Claim.claim_number, "CLM", year)


def next_roadside_reference(session: Session, *, year: int) -> str:
    """The next free roadside assistance reference of `year`."""
    return _next(session, RoadsideRequest.reference, "RSA", year)
