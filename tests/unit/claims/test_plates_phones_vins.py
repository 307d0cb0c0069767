"""Normalising Chinese plates, phone numbers and VINs as people type them."""
import pytest

from claims.phones import normalise_phone
from claims.vehicles import normalise_plate, normalise_vin, vin_check_digit


@pytest.mark.parametrize("typed, plate", [
    ("沪A12345", "沪A12345"), ("沪a 12345", "沪A12345"), ("沪A·12345", "沪A12345"), ("京N-8K2M1", "京N8K2M1"),
    ("粤BD12345", "粤BD12345"), ("粤b.d1234 5", "粤BD12345"), ("浙A１２３４５", "浙A12345"), ("苏E1234学", "苏E1234学"),
])
def test_plates_are_normalised(typed, plate):
    assert normalise_plate(typed) == plate


@pytest.mark.parametrize("typed", [
    "", None, "hello", "12345", "沪12345", "AA12345", "沪A1234", "沪A1234567", "沪AABCDE", "X京A12345",
])
def test_nonsense_is_not_a_plate(typed):
    assert normalise_plate(typed) is None


@pytest.mark.parametrize("typed", [
    "+8613812345678", "13812345678", "+86 138 1234 5678", "8613812345678", "138-1234-5678", "008613812345678",
    "+86 (138) 1234 5678", "１３８１２３４５６７８",
])
def test_chinese_mobiles_in_any_format_become_e164(typed):
    assert normalise_phone(typed) == "+8613812345678"


@pytest.mark.parametrize("typed", ["", None, "12345", "1381234567", "23812345678", "+86 21 6123 4567", "call me"])
def test_non_mobiles_are_refused(typed):
    assert normalise_phone(typed) is None


def test_foreign_e164_numbers_are_kept():
    assert normalise_phone("+44 7700 900123") == "+447700900123"


def test_vin_check_digit_matches_the_standard_example():
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert normalise_vin(" 1m8gdm9axkp042788 ") == "1M8GDM9AXKP042788"
    assert normalise_vin("1M8GDM9A1KP042788") is None  # wrong check digit
    assert normalise_vin("1M8GDM9AXKP04278O") is None  # O is never used
