"""Dates of birth and policy numbers as customers type them."""
from datetime import date

import pytest

from claims.services.identity import parse_date_of_birth, parse_policy_number

TODAY = date(2026, 11, 20)
APRIL_12 = date(1988, 4, 12)


@pytest.mark.parametrize("typed", [
    "1988-04-12", "1988/4/12", "1988.04.12", "1988 4 12", "12/04/1988", "12.04.1988", "12-04-1988", "19880412",
    "1988年4月12日", "1988 年 4 月 12 号", "１９８８年４月１２日", "April 12, 1988", "april 12 1988", "Apr 12th, 1988",
    "12 Apr 1988", "12 April 1988", "12th of April 1988", "12-Apr-1988", "my birthday is 12/04/1988 thanks",
    "出生日期：1988-04-12",
])
def test_accepted_formats(typed):
    assert parse_date_of_birth(typed, today=TODAY) == APRIL_12


def test_numeric_dates_are_day_first():
    assert parse_date_of_birth("04/12/1988", today=TODAY) == date(1988, 12, 4)
    assert parse_date_of_birth("12/13/1988", today=TODAY) is None  # no 13th month, no guessing


@pytest.mark.parametrize("typed", [
    "", None, "hello", "12/04/88", "1988-02-30", "1987-02-29", "31.04.1988", "1988年13月1日", "Foo 12, 1988",
    "2026-11-21", "1899-12-31", "0000-01-01", "138123456789", "1988-4-12-5",
])
def test_refused(typed):
    assert parse_date_of_birth(typed, today=TODAY) is None


def test_edges_of_the_allowed_range():
    assert parse_date_of_birth("1900-01-01", today=TODAY) == date(1900, 1, 1)
    assert parse_date_of_birth("2026-11-20", today=TODAY) == TODAY
    assert parse_date_of_birth("29.02.1988", today=TODAY) == date(1988, 2, 29)


@pytest.mark.parametrize("typed,expected", [
    ("PMV-2026-0000123", "PMV-2026-0000123"),
    ("pmv-2026-0000123", "PMV-2026-0000123"),
    ("PMV 2026 0000123", "PMV-2026-0000123"),
    ("PMV20260000123", "PMV-2026-0000123"),
    ("pmv 2026-123", "PMV-2026-0000123"),
    ("my policy number is pmv-2026-0000124, thanks", "PMV-2026-0000124"),
    ("保单号ＰＭＶ－２０２６－００００１２３", "PMV-2026-0000123"),
])
def test_policy_numbers_found(typed, expected):
    assert parse_policy_number(typed) == expected


@pytest.mark.parametrize("typed", ["", None, "PMV", "PMV-2026-0000000", "PMV-2026-00001234", "XPMV-2026-0000123",
                                   "CLM-2026-000123", "policy 2026 0000123"])
def test_no_policy_number(typed):
    assert parse_policy_number(typed) is None
