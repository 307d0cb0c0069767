"""Claim numbers and roadside references: parsing what people type, and the next free number."""
from datetime import datetime, timezone

import pytest

from claims.enums import ServiceType
from claims.models import RoadsideRequest
from claims.numbering import (
    CLAIM_NUMBER_PATTERN, find_claim_number, next_claim_number, next_roadside_reference, normalise_claim_number,
    normalise_roadside_reference,
)
from tests.factories import make_claim, make_policyholder


@pytest.mark.parametrize("typed", [
    "CLM-2026-004217", "clm-2026-4217", "CLM 2026 004217", "CLM2026004217", " clm_2026_004217 ",
    "ＣＬＭ－２０２６－００４２１７",  # full-width, from a Chinese keyboard
])
def test_accepted_spellings_normalise_to_the_canonical_number(typed):
    assert normalise_claim_number(typed) == "CLM-2026-004217"
    assert CLAIM_NUMBER_PATTERN.fullmatch(normalise_claim_number(typed))


@pytest.mark.parametrize("typed", [
    "", None, "CLM-26-4217", "CLM-2026-0042170", "CLM-2026-000000", "RSA-2026-004217", "CLM-2026-", "4217",
    "my claim CLM-2026-004217",  # a whole sentence is for find_claim_number
])
def test_anything_else_is_not_a_claim_number(typed):
    assert normalise_claim_number(typed) is None


def test_find_claim_number_inside_a_message():
    assert find_claim_number("我的案件 CLM-2026-004217 到哪一步了？") == "CLM-2026-004217"
    assert find_claim_number("status of clm2026 17 please") == "CLM-2026-000017"
    assert find_claim_number("no number here 2026") is None


def test_roadside_reference_spellings():
    assert normalise_roadside_reference("rsa 2026 123") == "RSA-2026-000123"
    assert normalise_roadside_reference("CLM-2026-000123") is None


def test_next_claim_number_counts_per_year(session, now):
    assert next_claim_number(session, year=2026) == "CLM-2026-000001"
    make_claim(session, claim_number="CLM-2026-000041", now=now)
    make_claim(session, claim_number="CLM-2026-000007", now=now)
    make_claim(session, claim_number="CLM-2025-000900", now=now)
    assert next_claim_number(session, year=2026) == "CLM-2026-000042"
    assert next_claim_number(session, year=2025) == "CLM-2025-000901"
    assert next_claim_number(session, year=2027) == "CLM-2027-000001"


def test_next_roadside_reference(session):
    holder = make_policyholder(session)
    session.add(RoadsideRequest(reference="RSA-2026-000122", policyholder_id=holder.id,
                                service_type=ServiceType.tow, created_at=datetime(2026, 3, 1, tzinfo=timezone.utc),
                                updated_at=datetime(2026, 3, 1, tzinfo=timezone.utc)))
    session.commit()
    assert next_roadside_reference(session, year=2026) == "RSA-2026-000123"
    assert next_roadside_reference(session, year=2027) == "RSA-2027-000001"
