"""Claim tracking for the verified policyholder: list, status, timeline and payout explained.

The action decides and fills slots; the rules in nlu_data/rules/tracking.yml speak the
responses (config/domain/tracking.yml) that those slots complete.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import ClaimsAction, DomainDict, chat_id, intent_of, telegram_user_id
from claims import wording
from claims.clock import minutes_until
from claims.models import Claim
from claims.numbering import find_claim_number, normalise_claim_number
from claims.services import identity, tracking
from claims.settings import get_settings

MAX_CHOICES = 3


def language(tracker: Tracker) -> str:
    """The conversation's language slot."""
    return tracker.get_slot("language") or "en"


def requested_claim_number(tracker: Tracker) -> str | None:
    """The claim number the user asked about in this message, else one left pending before a check."""
    latest = tracker.latest_message or {}
    entity = next(tracker.get_latest_entity_values("claim_number"), None)
    number = normalise_claim_number(entity) if entity else None
    number = number or find_claim_number(latest.get("text") or "")
    if number or intent_of(latest) == "track_claim":
        return number
    return tracker.get_slot("claim_number")  # resumed after the identity check


def status_slots(session: Session, claim: Claim, lang: str, now: datetime) -> list[dict[str, Any]]:
    """Slots that utter_claim_status and utter_payout_breakdown read."""
    settings = get_settings()
    status = tracking.claim_status(session, claim, now=now, settings=settings)
    tz = settings.timezone
    timeline = "\n".join(f"{wording.format_date(at, lang, tz)} · {wording.stage_label(stage, lang)}" for stage, at in status.timeline)
    slots = {
        "track_outcome": "show_claim",
        "claim_number": status.claim_number,
        "status_claim": status.claim_number,
        "status_plate": status.plate,
        "status_stage": wording.stage_label(status.stage, lang),
        "status_meaning": wording.stage_meaning(status.stage, lang),
        "status_timeline": timeline,
        "status_handler": wording.handler_line(status.adjuster, lang),
        "status_todo": wording.todo_line(status.missing_items, lang),
        "status_next": wording.next_step_line(status, lang, tz),
        "has_payout": status.payout is not None,
    }
    if status.payout is not None:
        money = lambda key: wording.format_money(status.payout.amount(key), lang, settings.currency)  # noqa: E731
        slots.update(
            payout_parts=money("parts"),
            payout_labour=money("labour"),
            payout_subtotal=money("subtotal"),
            payout_deductible=money("deductible"),
            payout_depreciation=money("depreciation"),
            payout_salvage=money("salvage"),
            payout_total=wording.format_money(status.payout.payout, lang, settings.currency),
            payout_payment=wording.payment_line(status, lang, tz),
        )
    return [SlotSet(name, value) for name, value in slots.items()]


def choice_slots(claims: list[Claim], lang: str) -> list[dict[str, Any]]:
    """Slots for utter_choose_claim: up to three claims as buttons, newest first."""
    shown = claims[:MAX_CHOICES]
    slots: dict[str, Any] = {
        "track_outcome": "choose_claim",
        "claim_count": len(claims),
        "claim_choice_count": str(len(shown)),
    }
    for index, claim in enumerate(shown, start=1):
        slots[f"claim_choice_{index}"] = claim.claim_number
        slots[f"claim_choice_{index}_label"] = wording.claim_choice_label(claim, lang)
    return [SlotSet(name, value) for name, value in slots.items()]


class ActionTrackClaim(ClaimsAction):
    """Decide what the user sees: the identity check, a list, a claim, or not found."""

    def name(self) -> str:
        return "action_track_claim"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        # has_payout is stated on every outcome: the rules branch on it after this action
        return [SlotSet("has_payout", False), *self.decide(tracker, session=session)]

    def decide(self, tracker: Tracker, *, session: Session) -> list[dict[str, Any]]:
        """The outcome and the slots its response reads."""
        now = datetime.now(timezone.utc)
        lang = language(tracker)
        number = requested_claim_number(tracker)
        user_id = telegram_user_id(tracker)
        policyholder = identity.verified_policyholder(session, user_id) if user_id else None
        if policyholder is None:
            locked_until = identity.verification_lock(session, chat_id=chat_id(tracker), now=now, settings=get_settings())
            if locked_until:
                return [SlotSet("track_outcome", "locked"), SlotSet("locked_minutes", minutes_until(locked_until, now))]
            return [SlotSet("track_outcome", "needs_verification"), SlotSet("claim_number", number)]
        if number:
            claim = tracking.claim_of(session, policyholder, number)
            if claim is None:  # unknown and other people's numbers get the same answer
                return [SlotSet("track_outcome", "not_found"), SlotSet("claim_number", number)]
            return status_slots(session, claim, lang, now)
        claims = tracking.claims_of(session, policyholder, open_only=True)
        if not claims:
            return [SlotSet("track_outcome", "no_claims")]
        if len(claims) == 1:
            return status_slots(session, claims[0], lang, now)
        return choice_slots(claims, lang)
