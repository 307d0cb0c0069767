"""Which answer takes a shown reply keyboard away once its question is answered."""
from __future__ import annotations

from bot.handlers.conversation import keyboard_goes_with

QUESTION = {"text": "Which service?", "buttons": [{"title": "Tow", "payload": "/x"}]}
ACK = {"text": "Got it: Huaihai Road."}
LOCATION_AGAIN = {"text": "Where are you?", "custom": {"request_location": "📍 Send my location"}}


def test_the_first_answer_without_buttons_takes_it_away():
    assert keyboard_goes_with([QUESTION, ACK, QUESTION]) == 1


def test_when_every_answer_has_buttons_the_first_one_does():
    assert keyboard_goes_with([QUESTION, QUESTION]) == 0


def test_a_new_share_keyboard_replaces_it_instead():
    assert keyboard_goes_with([ACK, LOCATION_AGAIN]) is None


def test_no_answer_no_removal():
    assert keyboard_goes_with([]) is None
