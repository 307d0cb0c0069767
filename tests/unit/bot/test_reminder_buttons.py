"""/reminders' buttons: one per kind showing its state, and nothing but a button the bot offered is obeyed."""
import pytest

from bot.handlers.reminders import _parse, reminder_keyboard
from claims.enums import ReminderKind


def test_each_kind_has_a_button_showing_its_state_and_asking_for_the_other():
    choices = {kind: kind is not ReminderKind.birthday for kind in ReminderKind}
    rows = reminder_keyboard(choices, "en").inline_keyboard
    assert [(row[0].text, row[0].callback_data) for row in rows] == [
        ("✅ Missing claim documents", "reminders:documents:off"),
        ("✅ Policy renewal", "reminders:renewal:off"),
        ("✅ Annual inspection", "reminders:inspection:off"),
        ("✅ Car service", "reminders:maintenance:off"),
        ("🔕 Birthday greeting", "reminders:birthday:on"),
        ("✅ Weather warnings and news", "reminders:broadcasts:off"),
    ]
    assert reminder_keyboard(choices, "zh").inline_keyboard[4][0].text == "🔕 生日祝福"


def test_a_pressed_button_is_read_back():
    assert _parse("reminders:renewal:off") == (ReminderKind.renewal, False)
    assert _parse("reminders:birthday:on") == (ReminderKind.birthday, True)


@pytest.mark.parametrize("forged", [
    "reminders:payout:on", "reminders:birthday:maybe", "reminders:birthday", "reminders:birthday:on:extra",
    "reminders::on", "reminders:", "reminders:Birthday:on", "reminders:birthday:ON",
])
def test_a_button_the_bot_never_offered_is_refused(forged):
    assert _parse(forged) is None
