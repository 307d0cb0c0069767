"""Masking personal data for display and in logs."""
import logging

import pytest

from claims.privacy import PersonalDataFilter, mask_card, mask_id_number, mask_personal_data, mask_phone, mask_plate


def test_mask_functions():
    assert mask_phone("+8613812345678") == "+86******5678"
    assert mask_phone("13812345678") == "******5678"
    assert mask_plate("沪A12345") == "沪A***45"
    assert mask_plate("粤BD12345") == "粤B****45"
    assert mask_card("6222 0212 3456 7890 123") == "****0123"
    assert mask_id_number("11010119900307123x") == "**************123X"
    assert mask_phone("123") == "******"


@pytest.mark.parametrize("text, secret, shown", [
    ("verified +8613812345678 ok", "13812345678", "+86******5678"),
    ("phone 13812345678.", "13812345678", "******5678"),
    ("phone 138 1234 5678 given", "1234 5678", "******5678"),
    ("id 11010119900307123X given", "110101199003071", "**************123X"),
    ("card 6222021234567890123 given", "62220212345678", "****0123"),
    ("card 6222 0212 3456 7890 given", "6222 0212", "****7890"),
    ("plate 沪A12345 towed", "沪A12345", "沪A***45"),
    ("车牌粤BD12345，已拖走", "粤BD12345", "粤B****45"),
])
def test_personal_data_is_masked_in_free_text(text, secret, shown):
    masked = mask_personal_data(text)
    assert secret not in masked
    assert shown in masked


def test_ordinary_numbers_are_left_alone():
    text = "claim CLM-2026-004217 chat 123456789 at 2026-11-20 10:30:00 paid 4715.29"
    assert mask_personal_data(text) == text


def test_log_filter_masks_message_args_and_traceback(caplog):
    logger = logging.getLogger("claims.test.privacy")
    caplog.handler.addFilter(PersonalDataFilter())
    try:
        with caplog.at_level(logging.INFO, logger=logger.name):
            logger.info("linking %s to plate %s", "+8613812345678", "沪A12345")
            logger.info({"phone": "13812345678"})
            try:
                raise ValueError("bad card 6222021234567890123")
            except ValueError:
                logger.exception("failed for 13812345678")
    finally:
        caplog.handler.filters.clear()
    text = caplog.text
    for secret in ("13812345678", "沪A12345", "6222021234567890123"):
        assert secret not in text
    assert "+86******5678" in text and "沪A***45" in text and "****0123" in text
    assert caplog.records[0].args is None
