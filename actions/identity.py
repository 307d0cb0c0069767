"""Identity check by policy number and date of birth (the contact check runs in the front end).

People type both at once, or one at a time; what they already typed is kept, and only what is
still missing is asked for.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import ClaimsAction, DomainDict, chat_id, telegram_user_id
from claims.clock import minutes_until
from claims.services import identity
from claims.settings import get_settings


def typed_details(tracker: Tracker) -> tuple[str | None, date | None]:
    """The policy number and date of birth from this message, else from earlier ones."""
    text = (tracker.latest_message or {}).get("text") or ""
    policy_number = identity.parse_policy_number(text)
    # the policy number's digits must not be read as a date
    rest = identity.POLICY_NUMBER_PATTERN.sub(" ", text)
    policy_number = policy_number or tracker.get_slot("policy_number")
    born = identity.parse_date_of_birth(rest)
    if born is None and tracker.get_slot("date_of_birth"):
        born = date.fromisoformat(tracker.get_slot("date_of_birth"))
    return policy_number, born


class ActionVerifyByPolicy(ClaimsAction):
    """Check the policy number and date of birth; link the Telegram account when they match."""

    def name(self) -> str:
        return "action_verify_by_policy"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        policy_number, born = typed_details(tracker)
        remembered = [SlotSet("policy_number", policy_number), SlotSet("date_of_birth", born.isoformat() if born else None)]
        if policy_number is None and born is None:
            return [SlotSet("verification", "need_policy_details")]
        if born is None:
            return [SlotSet("verification", "need_date_of_birth"), *remembered]
        if policy_number is None:
            return [SlotSet("verification", "need_policy_number"), *remembered]
        now = datetime.now(timezone.utc)
        result = identity.verify_by_policy(
            session,
            chat_id=chat_id(tracker),
            telegram_user_id=telegram_user_id(tracker),
            policy_number=policy_number,
            date_of_birth=born,
            now=now,
            settings=get_settings(),
        )
        events = [
            SlotSet("verification", result.outcome.value),
            SlotSet("attempts_left", result.attempts_left),
            SlotSet("policy_number", None),  # the next check starts afresh
            SlotSet("date_of_birth", None),
        ]
        if result.locked_until:
            events.append(SlotSet("locked_minutes", minutes_until(result.locked_until, now)))
        return events
