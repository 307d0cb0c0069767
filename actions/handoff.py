"""Hands the conversation to a person: records the request and tells the user where they stand.

The agents' console (bot/agent_desk) opens the case's topic as soon as the front end reads the
`handoff_requested` notice; wording stays in the domain (utter_handoff_queued and its variants).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import (
    ClaimsAction, DomainDict, chat_id, latest_intent, message_metadata, previous_action, telegram_user_id,
)
from claims import wording
from claims.enums import HandoffReason
from claims.services import agent_desk, handoffs, identity, reports
from claims.settings import get_settings

HANDOFF_REQUESTED = "handoff_requested"
HANDOFF_WITHDRAWN = "handoff_withdrawn"
# The front end says /return_to_bot right after an agent's /done; a later one is the user's own.
HANDED_BACK_WITHIN = timedelta(minutes=1)
# The bot's offers of a person during a roadside request: the dispatch desk arranges the rescue.
ROADSIDE_PROMPTS = {"utter_roadside_refused", "utter_offer_agent_for_roadside", "utter_roadside_cancel_too_late"}


def handoff_reason(tracker: Tracker) -> HandoffReason:
    """Why the bot hands over, from what the user said and what the bot said last."""
    intent = latest_intent(tracker)
    if intent == "complain":
        return HandoffReason.complaint
    if intent == "dispute_assessment":
        return HandoffReason.disputed_assessment
    previous = previous_action(tracker, skip={"action_request_handoff", "action_deactivate_loop"})
    if previous == "utter_emergency_advice":
        return HandoffReason.injury
    if previous == "utter_offer_human_for_report":
        return HandoffReason.form_failure
    if previous in ROADSIDE_PROMPTS or previous == "roadside_form":
        return HandoffReason.roadside
    if previous == "utter_please_rephrase" and tracker.get_slot("fallback_offer_human"):
        return HandoffReason.nlu_failure
    return HandoffReason.user_request


class ActionRequestHandoff(ClaimsAction):
    """Queue the conversation for an agent, once; utter_handoff_queued then says where it stands."""

    def name(self) -> str:
        return "action_request_handoff"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        settings = get_settings()
        existing = handoffs.open_handoff_for_chat(session, chat_id(tracker))
        now, reason = datetime.now(timezone.utc), handoff_reason(tracker)
        claim = None
        if existing is None and reason is HandoffReason.injury:
            # Someone is hurt: the claim is opened now, as an injury case, for the agent to complete.
            policyholder = identity.verified_policyholder(session, telegram_user_id(tracker))
            if policyholder is not None:
                claim = reports.open_injury_claim(session, policyholder=policyholder, now=now, settings=settings)
        schedule = agent_desk.desk_schedule(session, settings=settings, now=now)
        handoff = existing or handoffs.request_handoff(
            session,
            chat_id=chat_id(tracker),
            telegram_user_id=telegram_user_id(tracker),
            reason=reason,
            claim_id=claim.id if claim else None,
            summary=(tracker.latest_message or {}).get("text"),
            customer_name=message_metadata(tracker).get("first_name"),
            now=now,
            schedule=schedule,
            target=agent_desk.first_response_target(settings),
        )
        if existing is None:
            dispatcher.utter_message(json_message={"notice": HANDOFF_REQUESTED, "handoff_id": handoff.id})
        # None once an agent has taken the case: nobody is ahead any more.
        position = handoffs.queue_position(session, handoff) or 0
        desk_open = schedule.is_open(now)
        opens_at = schedule.next_opening(now)
        language = tracker.get_slot("language") or "en"
        return [
            SlotSet("handoff_already_queued", existing is not None),
            SlotSet("queue_ahead", max(position - 1, 0)),
            SlotSet("wait_minutes", max(1, position) * settings.handoff_minutes_per_case),
            SlotSet("desk_open", desk_open),
            SlotSet("desk_opens_at", None if desk_open or opens_at is None else
                    wording.format_desk_time(opens_at, language, settings.timezone, now=now)),
        ]


class ActionReturnToBot(ClaimsAction):
    """Back to the bot: leave the queue if waiting; or the greeting after a colleague handed back."""

    def name(self) -> str:
        return "action_return_to_bot"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        now = datetime.now(timezone.utc)
        withdrawn = handoffs.withdraw_handoff(session, chat_id=chat_id(tracker), now=now)
        if withdrawn is not None:
            dispatcher.utter_message(json_message={"notice": HANDOFF_WITHDRAWN, "handoff_id": withdrawn.handoff_id})
            return [SlotSet("returned_from", "queue")]
        if handoffs.recently_handed_back(session, chat_id=chat_id(tracker), now=now, within=HANDED_BACK_WITHIN):
            return [SlotSet("returned_from", "agent")]
        return [SlotSet("returned_from", "none")]
