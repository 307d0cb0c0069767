"""action_request_handoff: one queued handoff per chat, the right reason, slots for the wording."""
from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions import store
from actions.handoff import ActionRequestHandoff
from claims.models import Handoff


def tracker(chat_id: int, *, intent: str, text: str, previous_actions: tuple[str, ...] = ()) -> Tracker:
    events = [{"event": "action", "name": name} for name in previous_actions]
    events += [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}]
    return Tracker.from_dict({
        "sender_id": str(chat_id),
        "slots": {"language": "en"},
        "latest_message": {"intent": {"name": intent}, "text": text,
                           "metadata": {"chat_id": chat_id, "telegram_user_id": chat_id, "language": "en"}},
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    })


@pytest.fixture
def use_test_database(engine, session, monkeypatch):
    monkeypatch.setattr(store, "session_factory", lambda: sessionmaker(engine, expire_on_commit=False))
    return session


def run(action, tracker_):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, {}))
    return dispatcher, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_first_request_queues_a_handoff_and_sets_the_wait(use_test_database):
    _, slots = run(ActionRequestHandoff(), tracker(501, intent="request_human", text="agent please"))
    assert slots["handoff_already_queued"] is False
    assert slots["queue_ahead"] == 0 and slots["wait_minutes"] >= 1
    handoff = use_test_database.scalars(select(Handoff).where(Handoff.chat_id == 501)).one()
    assert handoff.reason.value == "user_request" and handoff.status.value == "queued"


def test_asking_twice_keeps_one_handoff(use_test_database):
    run(ActionRequestHandoff(), tracker(502, intent="request_human", text="human"))
    _, slots = run(ActionRequestHandoff(), tracker(502, intent="request_human", text="human!!"))
    assert slots["handoff_already_queued"] is True
    assert len(use_test_database.scalars(select(Handoff).where(Handoff.chat_id == 502)).all()) == 1


def test_second_customer_is_told_one_is_ahead(use_test_database):
    run(ActionRequestHandoff(), tracker(503, intent="request_human", text="human"))
    _, slots = run(ActionRequestHandoff(), tracker(504, intent="request_human", text="person"))
    assert slots["queue_ahead"] == 1


@pytest.mark.parametrize(
    ("intent", "previous", "reason"),
    [
        ("complain", (), "complaint"),
        ("affirm", ("utter_ask_anyone_injured", "utter_emergency_advice"), "injury"),
        ("affirm", ("utter_offer_human_for_report",), "form_failure"),
        ("request_human", ("utter_ask_accident_time",), "user_request"),
    ],
)
def test_reason_follows_what_happened(use_test_database, intent, previous, reason):
    run(ActionRequestHandoff(), tracker(510, intent=intent, text="...", previous_actions=previous))
    handoff = use_test_database.scalars(select(Handoff).where(Handoff.chat_id == 510)).one()
    assert handoff.reason.value == reason


def test_a_store_failure_becomes_a_notice_not_silence(monkeypatch):
    def broken():
        raise RuntimeError("database down")

    monkeypatch.setattr(store, "session_factory", broken)
    dispatcher, slots = run(ActionRequestHandoff(), tracker(520, intent="request_human", text="human"))
    assert slots == {}
    assert dispatcher.messages and dispatcher.messages[0]["custom"] == {"notice": "action_failed"}
