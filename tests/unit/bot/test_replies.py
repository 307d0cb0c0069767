"""Rasa replies become Telegram keyboards within Telegram's limits."""
from __future__ import annotations

from telegram import ReplyKeyboardMarkup, ReplyKeyboardRemove

from bot import replies


def test_short_titles_go_two_per_row_long_ones_one_per_row():
    short = replies.inline_keyboard([{"title": f"B{i}", "payload": f"/p{i}"} for i in range(4)], {})
    assert [len(row) for row in short.inline_keyboard] == [2, 2]
    long = replies.inline_keyboard([{"title": "Yes, someone is hurt badly", "payload": "/affirm"},
                                    {"title": "No", "payload": "/deny"}], {})
    assert [len(row) for row in long.inline_keyboard] == [1, 1]


def test_payloads_over_64_bytes_are_replaced_by_a_key():
    store: dict[str, str] = {}
    payload = '/share_location{"latitude": 31.230416, "longitude": 121.473701, "note": "' + "x" * 40 + '"}'
    data = replies.callback_data_for(payload, store)
    assert len(data.encode()) <= 64 and store[data] == payload
    assert replies.callback_data_for("/affirm", store) == "/affirm"


def test_chinese_payloads_are_measured_in_bytes():
    store: dict[str, str] = {}
    payload = "/inform" + "报" * 20  # 7 + 60 bytes
    assert replies.callback_data_for(payload, store).startswith(replies.LONG_PAYLOAD_PREFIX)


def test_share_requests_become_reply_keyboards():
    contact = replies.share_keyboard({"request_contact": "Share my phone number"})
    assert isinstance(contact, ReplyKeyboardMarkup)
    assert contact.keyboard[0][0].request_contact is True
    assert isinstance(replies.share_keyboard({"remove_keyboard": True}), ReplyKeyboardRemove)
    assert replies.share_keyboard({"something": 1}) is None


def test_the_pressed_title_is_found_for_the_echo():
    markup = replies.inline_keyboard([{"title": "Track a claim", "payload": "/track_claim"}], {})
    assert replies.button_title(markup, "/track_claim") == "Track a claim"
    assert replies.button_title(markup, "/nope") is None


def test_a_custom_part_rejoins_its_text():
    answers = [
        {"recipient_id": "1", "text": "Share your number?", "buttons": [{"title": "Policy", "payload": "/p"}]},
        {"recipient_id": "1", "custom": {"request_contact": "Share"}},
        {"recipient_id": "1", "custom": {"notice": "action_failed"}},
    ]
    merged = replies.merge_custom_parts(answers)
    assert merged[0]["custom"] == {"request_contact": "Share"} and merged[0]["buttons"]
    assert merged[1] == answers[2]  # a second custom part stays on its own
    assert replies.merge_custom_parts([answers[2]]) == [answers[2]]


def test_a_scale_of_numbers_goes_six_to_a_row():
    scale = replies.inline_keyboard([{"title": str(i), "payload": str(i)} for i in range(11)], {})
    assert [len(row) for row in scale.inline_keyboard] == [6, 5]
    assert [key.callback_data for row in scale.inline_keyboard for key in row] == [str(i) for i in range(11)]
