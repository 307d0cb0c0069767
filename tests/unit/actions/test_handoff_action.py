"""action_request_handoff: one queued handoff per chat, the right reason, slots for the wording;
action_handle_nlu_fallback offers a person the second time; action_return_to_bot leaves the queue."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions import store
from actions.handoff import ActionRequestHandoff, ActionReturnToBot
from claims.clock import utcnow
from claims.enums import HandoffOutcome, HandoffStatus
from claims.models import DeskHoursOverride, Handoff
from claims.services.handoffs import Agent, hand_back, request_handoff, take_handoff


def tracker(chat_id: int, *, intent: str, text: str, previous_actions: tuple[str, ...] = (),
            earlier_intents: tuple[str, ...] = (), slots: dict | None = None, first_name: str | None = None) -> Tracker:
    events = [{"event": "user", "text": "...", "parse_data": {"intent": {"name": name}}} for name in earlier_intents]
    events += [{"event": "action", "name": name} for name in previous_actions]
    events += [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}]
    metadata = {"chat_id": chat_id, "telegram_user_id": chat_id, "language": "en"}
    if first_name is not None:
        metadata["first_name"] = first_name
    return Tracker.from_dict({
        "sender_id": str(chat_id),
        "slots": {"language": "en", **(slots or {})},
        "latest_message": {"intent": {"name": intent}, "text": text, "metadata": metadata},
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    })


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
        ("dispute_assessment", ("utter_dispute_acknowledged",), "disputed_assessment"),
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


# --- the agents' desk: notices, desk hours, unclear messages, returning to the bot ---------------------

def test_a_new_request_tells_the_front_end_to_open_a_case_topic(use_test_database):
    dispatcher, _ = run(ActionRequestHandoff(), tracker(530, intent="request_human", text="human", first_name="Wei"))
    handoff = use_test_database.scalars(select(Handoff).where(Handoff.chat_id == 530)).one()
    assert dispatcher.messages[0]["custom"] == {"notice": "handoff_requested", "handoff_id": handoff.id}
    assert handoff.customer_name == "Wei" and handoff.summary == "human"
    assert handoff.first_response_due_at is not None and handoff.first_response_due_at > handoff.requested_at


def test_a_repeated_request_opens_no_second_topic(use_test_database):
    run(ActionRequestHandoff(), tracker(531, intent="request_human", text="human"))
    dispatcher, _ = run(ActionRequestHandoff(), tracker(531, intent="request_human", text="human!!"))
    assert not any((m.get("custom") or {}).get("notice") == "handoff_requested" for m in dispatcher.messages)


def desk_override(session, *, is_open: bool) -> None:
    now = utcnow()
    session.add(DeskHoursOverride(is_open=is_open, starts_at=now - timedelta(minutes=5),
                                  ends_at=now + timedelta(hours=1), set_by_telegram_id=901, set_by_name="Li Na",
                                  created_at=now))
    session.commit()


def test_with_the_desk_closed_the_customer_is_told_when_it_opens(use_test_database):
    desk_override(use_test_database, is_open=False)
    _, slots = run(ActionRequestHandoff(), tracker(532, intent="request_human", text="human"))
    assert slots["desk_open"] is False
    assert isinstance(slots["desk_opens_at"], str) and slots["desk_opens_at"].strip()
    assert any(ch.isdigit() for ch in slots["desk_opens_at"])  # a time of day such as "tomorrow 08:30"


def test_with_the_desk_open_there_is_no_opening_time(use_test_database):
    desk_override(use_test_database, is_open=True)
    _, slots = run(ActionRequestHandoff(), tracker(533, intent="request_human", text="human"))
    assert slots["desk_open"] is True and slots["desk_opens_at"] is None


def test_a_person_asked_for_after_the_second_unclear_message_is_an_nlu_failure(use_test_database):
    run(ActionRequestHandoff(), tracker(
        534, intent="request_human", text="/request_human", earlier_intents=("nlu_fallback", "nlu_fallback"),
        previous_actions=("action_handle_nlu_fallback", "utter_please_rephrase"),
        slots={"fallback_offer_human": True}))
    handoff = use_test_database.scalars(select(Handoff).where(Handoff.chat_id == 534)).one()
    assert handoff.reason.value == "nlu_failure"


def test_a_person_asked_for_after_a_first_rephrase_is_the_users_request(use_test_database):
    run(ActionRequestHandoff(), tracker(
        535, intent="request_human", text="agent", earlier_intents=("nlu_fallback",),
        previous_actions=("action_handle_nlu_fallback", "utter_please_rephrase"),
        slots={"fallback_offer_human": False}))
    handoff = use_test_database.scalars(select(Handoff).where(Handoff.chat_id == 535)).one()
    assert handoff.reason.value == "user_request"


def test_returning_to_the_bot_leaves_the_queue(use_test_database):
    run(ActionRequestHandoff(), tracker(550, intent="request_human", text="human"))
    dispatcher, slots = run(ActionReturnToBot(), tracker(550, intent="return_to_bot", text="/return_to_bot"))
    handoff = use_test_database.scalars(select(Handoff).where(Handoff.chat_id == 550)).one()
    assert slots == {"returned_from": "queue"}
    assert dispatcher.messages[0]["custom"] == {"notice": "handoff_withdrawn", "handoff_id": handoff.id}
    assert (handoff.status, handoff.outcome) == (HandoffStatus.closed, HandoffOutcome.withdrawn)


def test_returning_right_after_a_hand_back_greets_from_the_agent(use_test_database):
    session, agent = use_test_database, Agent(901, "Li Na")
    handoff = request_handoff(session, chat_id=551, telegram_user_id=551, reason="user_request", now=utcnow())
    take_handoff(session, handoff.id, agent=agent, now=utcnow())
    hand_back(session, handoff.id, agent=agent, now=utcnow())
    dispatcher, slots = run(ActionReturnToBot(), tracker(551, intent="return_to_bot", text="/return_to_bot"))
    assert slots == {"returned_from": "agent"} and dispatcher.messages == []


def test_returning_long_after_a_hand_back_or_without_a_case_is_plain(use_test_database):
    session, agent = use_test_database, Agent(901, "Li Na")
    earlier = utcnow() - timedelta(minutes=10)
    handoff = request_handoff(session, chat_id=552, telegram_user_id=552, reason="user_request", now=earlier)
    take_handoff(session, handoff.id, agent=agent, now=earlier)
    hand_back(session, handoff.id, agent=agent, now=earlier)
    assert run(ActionReturnToBot(), tracker(552, intent="return_to_bot", text="/return_to_bot"))[1] == {
        "returned_from": "none"}
    assert run(ActionReturnToBot(), tracker(553, intent="return_to_bot", text="/return_to_bot"))[1] == {
        "returned_from": "none"}


def test_returning_while_an_agent_has_the_case_does_not_close_it(use_test_database):
    session = use_test_database
    handoff = request_handoff(session, chat_id=554, telegram_user_id=554, reason="user_request", now=utcnow())
    take_handoff(session, handoff.id, agent=Agent(901, "Li Na"), now=utcnow())
    _, slots = run(ActionReturnToBot(), tracker(554, intent="return_to_bot", text="/return_to_bot"))
    session.refresh(handoff)
    assert slots == {"returned_from": "none"} and handoff.status is HandoffStatus.assigned
