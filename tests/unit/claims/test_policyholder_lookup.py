"""Finding policyholders by phone and by linked Telegram account."""
import pytest

from claims.services.policyholders import find_policyholder_by_phone, policyholder_for_telegram_user
from tests.factories import make_policyholder


@pytest.mark.parametrize("typed", ["+8613812345678", "13812345678", "+86 138 1234 5678", "8613812345678"])
def test_phone_in_any_format_finds_the_policyholder(session, typed):
    holder = make_policyholder(session, phone="+8613812345678", full_name="张伟")
    make_policyholder(session, phone="+8613812345679")
    assert find_policyholder_by_phone(session, typed).id == holder.id


def test_unknown_or_invalid_phone_finds_nobody(session):
    make_policyholder(session, phone="+8613812345678")
    assert find_policyholder_by_phone(session, "13900000000") is None
    assert find_policyholder_by_phone(session, "not a phone") is None


def test_linked_telegram_account(session):
    holder = make_policyholder(session, telegram_user_id=123456789)
    assert policyholder_for_telegram_user(session, 123456789).id == holder.id
    assert policyholder_for_telegram_user(session, 987654321) is None
