"""Roadside help in three steps: what is wrong, where, which car; the cover; storing the request; the status
of a rescue; cancelling it.

The first message is read for everything it already says (the service, a place, danger) so the form only asks
for what is missing. Answers are read by claims.roadside.answers; the cover is the one rule in
claims.roadside.eligibility. Dispatch and the rescue's progress are the bot's (bot/roadside.py): the action only
stores the request and tells the bot, with a notice, to send it at once.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.accident_report import vehicle_choice_slots
from actions.base import (
    ClaimsAction, DomainDict, chat_id, hesitant_interruption, in_session, previous_action, telegram_user_id,
)
from actions.tracking import language
from claims import accident_report as report_answers
from claims import wording
from claims.clock import business_date, minutes_until
from claims.enums import Language, RoadsideStatus, ServiceType
from claims.models import Policyholder, RoadsideRequest, Vehicle
from claims.roadside import answers
from claims.roadside.answers import LocationProblem
from claims.roadside.eligibility import RoadsideRefusal, policy_year
from claims.roadside.lifecycle import TRUCK_ASSIGNED, customer_may_cancel
from claims.roadside.notices import ROADSIDE_REQUESTED
from claims.roadside.requests import (
    CancelOutcome, NewRequest, cancel_by_customer, create_request, eligibility_for, nearest_garage_km, open_request,
    open_request_for_chat, roadside_vehicles,
)
from claims.services import identity
from claims.settings import get_settings

FORM_SLOTS = ("roadside_service", "roadside_location", "roadside_vehicle")
LABELS = {
    "roadside_service": ("roadside_service_label",),
    "roadside_location": ("roadside_location_label", "roadside_latitude", "roadside_longitude"),
    "roadside_vehicle": ("roadside_vehicle_label",),
}
MAX_FAILURES = 3
# Where a location answer's problem points the re-ask (config/domain/roadside.yml, roadside_error).
LOCATION_ERRORS = {LocationProblem.vague: "vague", LocationProblem.too_short: "too_short",
                   LocationProblem.nonsense: "unclear"}


def progress_slots(request: RoadsideRequest | None) -> list[dict[str, Any]]:
    """What "where is the truck?" shows: none, finding a truck, on the way (ETA, distance), arrived."""
    if request is None:
        return [SlotSet("roadside_progress", "none")]
    if request.status in TRUCK_ASSIGNED and request.driver_name:
        progress = "arrived" if request.status is RoadsideStatus.arrived else "on_the_way"
    else:
        progress = "finding"
    return [SlotSet("roadside_progress", progress), SlotSet("roadside_reference", request.reference),
            SlotSet("roadside_truck_plate", request.truck_plate), SlotSet("roadside_driver", request.driver_name),
            SlotSet("roadside_driver_phone", wording.format_phone(request.driver_phone) if request.driver_phone else None),
            SlotSet("roadside_distance", str(request.distance_km) if request.distance_km is not None else "?"),
            SlotSet("roadside_eta", str(request.eta_minutes) if request.eta_minutes is not None else "?")]


def vehicle_slots(vehicle: Vehicle) -> dict[str, Any]:
    """The chosen car and how the summary shows it."""
    return {"roadside_vehicle": vehicle.plate_number, "roadside_vehicle_label": wording.vehicle_label(vehicle)}


def service_slots(service: ServiceType, lang: str) -> dict[str, Any]:
    return {"roadside_service": service.value, "roadside_service_label": wording.service_label(service, lang)}


def location_slots(text: str | None, latitude: float | None, longitude: float | None, lang: str) -> dict[str, Any]:
    if latitude is not None and longitude is not None:
        return {"roadside_location": report_answers.describe_coordinates(latitude, longitude),
                "roadside_location_label": wording.shared_location_label(latitude, longitude, lang),
                "roadside_latitude": latitude, "roadside_longitude": longitude}
    return {"roadside_location": text, "roadside_location_label": text,
            "roadside_latitude": None, "roadside_longitude": None}


class ActionStartRoadsideRequest(ClaimsAction):
    """Read the first message (service, place, danger), check who is asking and for which cars."""

    def name(self) -> str:
        return "action_start_roadside_request"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        settings, now, lang = get_settings(), datetime.now(timezone.utc), language(tracker)
        resuming = tracker.get_slot("pending_task") == "request_roadside"
        events: list[dict[str, Any]] = []
        if not resuming:  # a new request: forget an earlier one's answers, read this message for them
            events += [SlotSet(name, None) for field in FORM_SLOTS for name in (field, *LABELS[field])]
            events += [SlotSet("roadside_error", None), SlotSet("roadside_failures", 0),
                       SlotSet("roadside_safety_shown", None)]
            text = (tracker.latest_message or {}).get("text") or ""
            typed = "" if text.startswith("/") else text
            service = answers.read_service_type(typed) or _entity_service(tracker)
            if service is not None:
                events += [SlotSet(k, v) for k, v in service_slots(service, lang).items()]
            place = answers.extract_location_phrase(typed)
            if place:
                events += [SlotSet(k, v) for k, v in location_slots(place, None, None, lang).items()]
            hazard = answers.read_hazard(typed)
        else:
            hazard = False  # the safety advice came before the identity check
        # Safety first, once: before any question, when on a motorway or in danger.
        show_safety = hazard and not tracker.get_slot("roadside_safety_shown")
        events += [SlotSet("roadside_hazard", "yes" if show_safety else "no"),
                   SlotSet("roadside_safety_shown", True if show_safety else tracker.get_slot("roadside_safety_shown"))]
        policyholder = identity.verified_policyholder(session, telegram_user_id(tracker))
        if policyholder is None:
            locked_until = identity.verification_lock(session, chat_id=chat_id(tracker), now=now, settings=settings)
            if locked_until:
                return events + [SlotSet("roadside_access", "locked"), SlotSet("pending_task", None),
                                 SlotSet("locked_minutes", minutes_until(locked_until, now))]
            return events + [SlotSet("roadside_access", "needs_verification"), SlotSet("pending_task", "request_roadside")]
        events.append(SlotSet("pending_task", None))
        existing = open_request(session, policyholder_id=policyholder.id)
        if existing is not None:
            return events + [SlotSet("roadside_access", "open_request"), *progress_slots(existing)]
        vehicles = roadside_vehicles(policyholder)
        if not vehicles:
            return events + [SlotSet("roadside_access", "no_vehicle")]
        events += vehicle_choice_slots(vehicles)
        if len(vehicles) == 1:  # nothing to ask: the summary still shows it
            events += [SlotSet(k, v) for k, v in vehicle_slots(vehicles[0]).items()]
        return events + [SlotSet("roadside_access", "ready")]


def _entity_service(tracker: Tracker) -> ServiceType | None:
    value = next(tracker.get_latest_entity_values("service_type"), None)
    try:
        return ServiceType(value) if value else None
    except ValueError:
        return None


class ValidateRoadsideForm(FormValidationAction):
    """Reads the three answers; a bad one gets its reason in the question's re-ask, three a person."""

    def name(self) -> str:
        return "validate_roadside_form"

    @staticmethod
    def _accepted(slots: dict[str, Any]) -> dict[str, Any]:
        return {**slots, "roadside_error": None, "roadside_failures": 0}

    @staticmethod
    def _rejected(tracker: Tracker, slot: str, problem: str) -> dict[str, Any]:
        failures = int(tracker.get_slot("roadside_failures") or 0) + 1
        if failures >= MAX_FAILURES:  # stops the form; the review then offers the dispatch desk
            return {slot: None, "roadside_error": None, "roadside_failures": failures, "requested_slot": None}
        return {slot: None, "roadside_error": problem, "roadside_failures": failures}

    @staticmethod
    def _answer(tracker: Tracker, value: Any) -> str:
        """A button's answer, else what was typed."""
        chosen = next(tracker.get_latest_entity_values("report_answer"), None)
        return str(chosen if chosen is not None else value or "")

    async def extract_roadside_location(self, dispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        text = hesitant_interruption(tracker, "roadside_location")
        return {"roadside_location": text} if text else {}

    async def validate_roadside_service(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        """Which help: a button, or the problem in the customer's words."""
        service = answers.read_service_type(self._answer(tracker, value)) or _entity_service(tracker)
        if service is None:
            return self._rejected(tracker, "roadside_service", "unclear")
        return self._accepted(service_slots(service, language(tracker)))

    async def validate_roadside_location(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        """A shared Telegram location, or a typed place precise enough for a truck to find."""
        lang = language(tracker)
        latitude = next(tracker.get_latest_entity_values("latitude"), None)
        longitude = next(tracker.get_latest_entity_values("longitude"), None)
        if latitude is not None and longitude is not None:
            return self._accepted(location_slots(None, float(latitude), float(longitude), lang))
        reading = answers.read_location_text(self._answer(tracker, value))
        if not reading.ok:
            return self._rejected(tracker, "roadside_location", LOCATION_ERRORS[reading.problem])
        return self._accepted(location_slots(reading.value, None, None, lang))

    async def validate_roadside_vehicle(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        """The car, by plate, position, or make and model."""
        text = self._answer(tracker, value)

        def choose(session: Session) -> dict[str, Any] | None:
            policyholder = identity.verified_policyholder(session, telegram_user_id(tracker))
            vehicles = roadside_vehicles(policyholder) if policyholder else []
            matched = report_answers.match_vehicle(text, vehicles)
            if not matched.ok:
                return None
            return vehicle_slots(next(v for v in vehicles if v.id == matched.value))

        slots = await in_session(choose)
        if slots is None:
            return self._rejected(tracker, "roadside_vehicle", "unknown_vehicle")
        return self._accepted(slots)


def _chosen_vehicle(session: Session, tracker: Tracker) -> tuple[Policyholder | None, Vehicle | None]:
    """The verified policyholder and the car the form settled on (None when either is missing)."""
    policyholder = identity.verified_policyholder(session, telegram_user_id(tracker))
    plate = tracker.get_slot("roadside_vehicle")
    vehicles = roadside_vehicles(policyholder) if policyholder else []
    return policyholder, next((v for v in vehicles if v.plate_number == plate), None)


class ActionReviewRoadsideRequest(ClaimsAction):
    """After the three answers: covered (the summary), not covered (why, the cost, a person), or stuck."""

    def name(self) -> str:
        return "action_review_roadside_request"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        settings, now, lang = get_settings(), datetime.now(timezone.utc), language(tracker)
        if any(tracker.get_slot(slot) is None for slot in FORM_SLOTS):
            return [SlotSet("roadside_outcome", "needs_help"), SlotSet("roadside_failures", 0)]
        policyholder, vehicle = _chosen_vehicle(session, tracker)
        if vehicle is None:
            return [SlotSet("roadside_outcome", "needs_help")]
        service = ServiceType(tracker.get_slot("roadside_service"))
        latitude, longitude = tracker.get_slot("roadside_latitude"), tracker.get_slot("roadside_longitude")
        result = eligibility_for(session, vehicle=vehicle, service=service, latitude=latitude, longitude=longitude,
                                 now=now, settings=settings)
        policy, rules = vehicle.policy, settings.roadside_rules
        _, next_year = policy_year(policy.starts_on, business_date(now, settings.timezone))
        events = [
            SlotSet("roadside_calls_left", str(result.calls_left) if result.calls_left is not None else None),
            SlotSet("roadside_calls_per_year", str(rules.free_calls_per_year)),
            SlotSet("roadside_policy_number", policy.policy_number),
            SlotSet("roadside_policy_start_label", wording.format_date(policy.starts_on, lang, settings.timezone)),
            SlotSet("roadside_policy_end_label", wording.format_date(policy.ends_on, lang, settings.timezone)),
            SlotSet("roadside_next_year_label", wording.format_date(next_year, lang, settings.timezone)),
            SlotSet("roadside_cost", f"{result.cost:,.0f}" if result.cost is not None else None),
            SlotSet("roadside_tow_limit_km", f"{rules.tow_limit_km:,.0f}"),
        ]
        if result.covered:
            return events + [SlotSet("roadside_outcome", "summary"), SlotSet("roadside_refusal", None)]
        if result.refusal is RoadsideRefusal.tow_too_far:
            events.append(SlotSet("roadside_tow_km", str(nearest_garage_km(latitude, longitude))))
        return events + [SlotSet("roadside_outcome", "refused"), SlotSet("roadside_refusal", result.refusal.value)]


class ActionSubmitRoadsideRequest(ClaimsAction):
    """Store the confirmed request with its reference, then tell the bot to dispatch it now."""

    def name(self) -> str:
        return "action_submit_roadside_request"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        now, lang = datetime.now(timezone.utc), language(tracker)
        policyholder, vehicle = _chosen_vehicle(session, tracker)
        if vehicle is None or tracker.get_slot("roadside_service") is None:
            existing = open_request(session, policyholder_id=policyholder.id) if policyholder else None
            return [SlotSet("roadside_submitted", "already_open"), *progress_slots(existing)]
        location = tracker.get_slot("roadside_location")
        latitude, longitude = tracker.get_slot("roadside_latitude"), tracker.get_slot("roadside_longitude")
        facts = NewRequest(
            service=ServiceType(tracker.get_slot("roadside_service")),
            latitude=latitude, longitude=longitude, address=None if latitude is not None else location,
            hazard=bool(tracker.get_slot("roadside_safety_shown")),
        )
        request, created = create_request(session, policyholder=policyholder, vehicle=vehicle, chat_id=chat_id(tracker),
                                          language=Language(lang), facts=facts, now=now)
        # The answers are spent: a second "yes" finds nothing to submit and shows the open request instead.
        cleared = [SlotSet(name, None) for field in FORM_SLOTS for name in (field, *LABELS[field])]
        if not created:
            return [SlotSet("roadside_submitted", "already_open"), *progress_slots(request), *cleared]
        dispatcher.utter_message(json_message={"notice": ROADSIDE_REQUESTED, "request_id": request.id})
        return [SlotSet("roadside_submitted", "submitted"), SlotSet("roadside_reference", request.reference), *cleared]


class ActionRoadsideStatus(ClaimsAction):
    """Where the truck is: the open rescue of this chat (or of the verified policyholder)."""

    def name(self) -> str:
        return "action_roadside_status"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        return progress_slots(_open_request(session, tracker))


def _open_request(session: Session, tracker: Tracker) -> RoadsideRequest | None:
    request = open_request_for_chat(session, chat_id(tracker))
    if request is None:
        policyholder = identity.verified_policyholder(session, telegram_user_id(tracker))
        request = open_request(session, policyholder_id=policyholder.id) if policyholder else None
    return request


class ActionCancelRoadsideRequest(ClaimsAction):
    """Cancel a rescue: confirm first; cancelled before the cut-off, else explained (a person can help)."""

    def name(self) -> str:
        return "action_cancel_roadside_request"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        settings, now = get_settings(), datetime.now(timezone.utc)
        request = _open_request(session, tracker)
        confirmed = previous_action(tracker, skip={self.name()}) == "utter_confirm_roadside_cancel"
        if request is None:
            return [SlotSet("roadside_cancel", "nothing_open")]
        slots = progress_slots(request)
        if not confirmed:
            allowed = customer_may_cancel(request.status, cutoff=settings.roadside_cancel_cutoff)
            return slots + [SlotSet("roadside_cancel", "confirm" if allowed else "too_late")]
        outcome = cancel_by_customer(session, request, now=now, settings=settings)
        if outcome is CancelOutcome.cancelled:
            dispatcher.utter_message(json_message={"notice": ROADSIDE_REQUESTED, "request_id": request.id})
        return slots + [SlotSet("roadside_cancel", outcome.value)]
