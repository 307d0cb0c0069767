"""Hands the conversation to a person: records the request and tells the user where they stand."""
from __future__ import annotations

from datetime import datetime, timezone

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import ClaimsAction, DomainDict, chat_id, previous_action, telegram_user_id
from claims.enums import HandoffReason
from claims.services import handoffs, identity, reports
from claims.settings import get_settings


def handoff_reason(tracker: Tracker) -> HandoffReason:
    """Why the bot hands over, from what the user said and what the bot said last."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "complain":
        return HandoffReason.complaint
    previous = previous_action(tracker, skip={"action_request_handoff", "action_deactivate_loop"})
    if previous == "utter_emergency_advice":
        return HandoffReason.injury
    if previous == "utter_offer_human_for_report":
        return HandoffReason.form_failure
    return HandoffReason.user_request


class ActionRequestHandoff(ClaimsAction):
    """Queue the conversation for an agent, once; utter_handoff_queued then says where it stands."""

    def name(self) -> str:
        return "action_request_handoff"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        existing = handoffs.open_handoff_for_chat(session, chat_id(tracker))
        now, reason = datetime.now(timezone.utc), handoff_reason(tracker)
        claim = None
        if existing is None and reason is HandoffReason.injury:
            # Someone is hurt: the claim is opened now, as an injury case, for the agent to complete.
            policyholder = identity.verified_policyholder(session, telegram_user_id(tracker))
            if policyholder is not None:
                claim = reports.open_injury_claim(session, policyholder=policyholder, now=now,
                                                  settings=get_settings())
        handoff = existing or handoffs.request_handoff(
            session,
            chat_id=chat_id(tracker),
            telegram_user_id=telegram_user_id(tracker),
            reason=reason,
            claim_id=claim.id if claim else None,
            summary=(tracker.latest_message or {}).get("text"),
            now=now,
        )
        # None once an agent has taken the case: nobody is ahead any more.
        position = handoffs.queue_position(session, handoff) or 0
        return [
            SlotSet("handoff_already_queued", existing is not None),
            SlotSet("queue_ahead", max(position - 1, 0)),
            SlotSet("wait_minutes", max(1, position) * get_settings().handoff_minutes_per_case),
        ]
