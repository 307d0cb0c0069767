"""The accident report (first notice of loss): start, validate each answer, review, correct, file, cancel.

The form (config/domain/accident.yml) asks one question at a time; `validate_accident_report_form` reads
each answer with claims.accident_report and, on bad input, sets `report_error` so that the question's
re-ask (config/domain/accident_report.yml) says what was wrong. Three unusable answers to the same
question stop the form, and a person is offered.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.base import (
    ClaimsAction, DomainDict, chat_id, hesitant_interruption, in_session, intent_of, latest_intent, previous_action,
    telegram_user_id,
)
from actions.tracking import language
from claims import accident_report as answers
from claims import wording
from claims.accident_report import AnswerProblem
from claims.clock import minutes_until
from claims.enums import ThirdParty
from claims.models import Vehicle
from claims.services import identity
from claims.services.reports import AccidentFacts, VehicleNotCovered, covered_vehicle, covered_vehicles, file_claim
from claims.settings import get_settings
from claims.triage import EstimateBand

FORM_SLOTS = (
    "accident_vehicle", "accident_time", "accident_location", "accident_description", "third_party",
    "police_report_number", "drivable", "estimate_band",
)
# What each answer looks like in the summary; cleared with the answer.
LABEL_SLOTS = {
    "accident_vehicle": ("accident_vehicle_label", "report_plate_spelled", "policy_start_label", "policy_end_label"),
    "accident_time": ("accident_time_label", "accident_date_known", "accident_date_label"),
    "accident_location": ("accident_location_label", "accident_latitude", "accident_longitude"),
    "accident_description": (),
    "third_party": ("third_party_label",),
    "police_report_number": ("police_report_label",),
    "drivable": ("drivable_label",),
    "estimate_band": ("estimate_band_label",),
}
MAX_FAILURES = 3
NO_POLICE_REPORT = "none"
MAX_VEHICLE_CHOICES = 3


def cleared(fields: tuple[str, ...] = FORM_SLOTS) -> list[dict[str, Any]]:
    """Events that forget these answers and how they were shown."""
    names = [name for field in fields for name in (field, *LABEL_SLOTS[field])]
    return [SlotSet(name, None) for name in (*names, "report_error", "report_failures", "report_needs_help")]


def vehicle_slots(vehicle: Vehicle, lang: str) -> dict[str, Any]:
    """The chosen car, with the dates its policy covers (for checking the accident date)."""
    settings = get_settings()
    return {
        "accident_vehicle": vehicle.plate_number,
        "accident_vehicle_label": wording.vehicle_label(vehicle),
        "report_plate_spelled": wording.spell_out(vehicle.plate_number),
        "policy_start_label": wording.format_date(vehicle.policy.starts_on, lang, settings.timezone),
        "policy_end_label": wording.format_date(vehicle.policy.ends_on, lang, settings.timezone),
    }


def vehicle_choice_slots(vehicles: list[Vehicle]) -> list[dict[str, Any]]:
    """Buttons for up to three cars (the others can be typed)."""
    shown = vehicles[:MAX_VEHICLE_CHOICES]
    events = [SlotSet("vehicle_choice_count", str(len(shown)) if len(shown) > 1 else None)]
    for position in range(1, MAX_VEHICLE_CHOICES + 1):
        vehicle = shown[position - 1] if position <= len(shown) else None
        events += [SlotSet(f"vehicle_choice_{position}", vehicle.plate_number if vehicle else None),
                   SlotSet(f"vehicle_choice_{position}_label", wording.vehicle_label(vehicle) if vehicle else None)]
    return events


class ActionCheckInjuries(Action):
    """Before the report, safety: reads whether the first message already says if anyone is hurt ("no one's hurt",
    "我老婆受伤了"); the rules ask only when it does not."""

    def name(self) -> str:
        return "action_check_injuries"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        latest = tracker.latest_message or {}
        text = latest.get("text") or ""
        said = None if text.startswith("/") else answers.said_injuries(text)
        return [SlotSet("injuries_said", None if said is None else ("hurt" if said else "unhurt"))]


class ActionStartAccidentReport(ClaimsAction):
    """Check who is reporting and for which cars; start the form (or resume it after a retry)."""

    def name(self) -> str:
        return "action_start_accident_report"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        settings, now = get_settings(), datetime.now(timezone.utc)
        policyholder = identity.verified_policyholder(session, telegram_user_id(tracker))
        if policyholder is None:
            locked_until = identity.verification_lock(session, chat_id=chat_id(tracker), now=now, settings=settings)
            if locked_until:
                return [SlotSet("report_access", "locked"), SlotSet("pending_task", None),
                        SlotSet("locked_minutes", minutes_until(locked_until, now))]
            return [SlotSet("report_access", "needs_verification"), SlotSet("pending_task", "report_accident")]
        vehicles = covered_vehicles(policyholder)
        if not vehicles:
            return [SlotSet("report_access", "no_vehicle"), SlotSet("pending_task", None)]
        events = [SlotSet("report_access", "ready"), SlotSet("pending_task", None)]
        if previous_action(tracker, skip=set()) == "utter_offer_human_for_report":
            # The customer chose to try again: keep every answer, start the question's count afresh.
            return events + [SlotSet("report_error", None), SlotSet("report_failures", 0),
                             SlotSet("report_needs_help", None)]
        lang = language(tracker)
        events += cleared()
        events.append(SlotSet("report_opening", report_opening(tracker)))
        events += [SlotSet("report_policyholder_name", policyholder.full_name),
                   SlotSet("report_policyholder_spelled", wording.spell_out(policyholder.full_name))]
        events += vehicle_choice_slots(vehicles)
        if len(vehicles) == 1:  # nothing to ask: the summary still shows it
            events += [SlotSet(name, value) for name, value in vehicle_slots(vehicles[0], lang).items()]
        return events


# Intents that interrupt the form (a side question, a request for a person...): such a message answers nothing.
INTERRUPTING_INTENTS = frozenset({"cancel", "request_human", "complain", "dispute_assessment", "ask_required_documents",
                                  "ask_fast_track", "correct_report", "faq"})


def accepted_time(value: Any) -> datetime | None:
    """The accident time slot once validated (an ISO timestamp), else None."""
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def report_opening(tracker: Tracker) -> str | None:
    """What the customer typed to start the report ("a white SUV rear-ended me on Huaihai Road"), to be read for
    the report's fields; None when the report started from a button."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        intent = intent_of(event.get("parse_data"))
        text = event.get("text") or ""
        if intent == "report_accident":
            return None if text.startswith("/") else text
    return None


class ValidateAccidentReportForm(FormValidationAction):
    """Reads each answer of the accident report; explains bad ones through the question's re-ask."""

    def name(self) -> str:
        return "validate_accident_report_form"

    # ------------------------------------------------------------------ shared outcomes of a validation

    @staticmethod
    def _accepted(slot: str, value: Any, **labels: Any) -> dict[str, Any]:
        return {slot: value, **labels, "report_error": None, "report_failures": 0}

    @staticmethod
    def _rejected(tracker: Tracker, slot: str, problem: AnswerProblem) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != slot:
            return {slot: None}  # read from another message, not an answer: the question will simply be asked
        failures = int(tracker.get_slot("report_failures") or 0) + 1
        if failures >= MAX_FAILURES:
            # Stops the form (requested_slot None); action_review_accident_report then offers a person.
            return {slot: None, "report_error": None, "report_failures": 0, "report_needs_help": True,
                    "requested_slot": None}
        return {slot: None, "report_error": problem.value, "report_failures": failures}

    def _answer(self, tracker: Tracker, value: Any, slot: str) -> str:
        """A button's answer to the question asked, else the value (typed, or read from an earlier message)."""
        chosen = next(tracker.get_latest_entity_values("report_answer"), None)
        if chosen is not None and tracker.get_slot("requested_slot") == slot:
            return str(chosen)
        return str(value or "")

    # --------------------------------------------------------- answers that the classifier misread

    def _unmistakable(self, tracker: Tracker, slot: str, parse) -> dict[str, Any]:
        """The text, when it reads as an answer to the question asked although its intent was one that
        interrupts the form (a complaint, a request for a person...): "两个小时前" is a time, not a complaint."""
        intent = latest_intent(tracker)
        if intent == "cancel" or tracker.get_slot("requested_slot") != slot or tracker.get_slot(slot) is not None:
            return {}  # "no, stop" at the drivable question is a cancel, whatever it would parse as
        text = (tracker.latest_message or {}).get("text") or ""
        if text.startswith("/") or not text:
            return {}
        return {slot: text} if parse(text).ok else {}

    # ------------------------------------------------- what the customer already said, asked or not

    @staticmethod
    def _said_so_far(tracker: Tracker, slot: str, *, answers_too: bool = True) -> list[str]:
        """The texts to read for a field not asked yet: the report's first message, and the answer just given to
        another question ("yesterday at 6 on Huaihai Road" answers the time and tells the place)."""
        if tracker.get_slot(slot) is not None:
            return []
        texts = [opening] if (opening := tracker.get_slot("report_opening")) else []
        latest = tracker.latest_message or {}
        text, intent = latest.get("text") or "", intent_of(latest)
        requested = tracker.get_slot("requested_slot")
        if answers_too and text and not text.startswith("/") and intent not in INTERRUPTING_INTENTS \
                and requested not in (None, slot):
            texts.append(text)
        return texts

    def _already_said(self, tracker: Tracker, slot: str, read, *, answers_too: bool = True) -> dict[str, Any]:
        for text in self._said_so_far(tracker, slot, answers_too=answers_too):
            if (value := read(text)) is not None:
                return {slot: value}
        return {}

    async def run(self, dispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        opening = tracker.get_slot("report_opening")
        events = await super().run(dispatcher, tracker, domain)
        # The first message is read once, when the form first runs.
        return events + ([SlotSet("report_opening", None)] if opening else [])

    async def extract_accident_time(self, dispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        now, tz = datetime.now(timezone.utc), get_settings().timezone
        return (self._unmistakable(tracker, "accident_time",
                                   lambda text: answers.parse_incident_time(text, now=now, tz=tz))
                or self._already_said(tracker, "accident_time",
                                      lambda text: answers.said_incident_time(text, now=now, tz=tz)))

    async def extract_accident_location(self, dispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if text := hesitant_interruption(tracker, "accident_location"):
            return {"accident_location": text}
        return self._already_said(tracker, "accident_location", answers.said_place)

    async def extract_accident_description(self, dispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if text := hesitant_interruption(tracker, "accident_description"):  # "the other driver was rude..."
            return {"accident_description": text}
        # An answer to another question is not the story; the first message may be.
        return self._already_said(tracker, "accident_description", answers.said_description, answers_too=False)

    async def extract_third_party(self, dispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        # Only the first message: an answer naming a pillar ("scraped a pillar") is for the question to settle.
        return (self._unmistakable(tracker, "third_party", answers.parse_third_party)
                or self._already_said(tracker, "third_party", answers.said_third_party, answers_too=False))

    async def extract_drivable(self, dispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return (self._unmistakable(tracker, "drivable", answers.parse_drivable)
                or self._already_said(tracker, "drivable", answers.said_drivable))

    async def extract_estimate_band(self, dispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return self._unmistakable(tracker, "estimate_band", answers.parse_estimate_band)

    # ---------------------------------------------------------------------------------- the questions

    async def validate_accident_vehicle(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        """The car, by plate, position, or make and model."""
        text, lang = self._answer(tracker, value, "accident_vehicle"), language(tracker)

        def choose(session: Session) -> dict[str, Any] | None:
            policyholder = identity.verified_policyholder(session, telegram_user_id(tracker))
            vehicles = covered_vehicles(policyholder) if policyholder else []
            matched = answers.match_vehicle(text, vehicles)
            if not matched.ok:
                return None
            vehicle = next(v for v in vehicles if v.id == matched.value)
            slots = vehicle_slots(vehicle, lang)
            # A time accepted before the car was known: its policy's dates must cover it. (A time read in this
            # same turn is still text here; its own validation, next, checks it against this car.)
            if (said := accepted_time(tracker.get_slot("accident_time"))) and not (
                    vehicle.policy.starts_on <= said.astimezone(settings.timezone).date() <= vehicle.policy.ends_on):
                slots.update({name: None for name in ("accident_time", *LABEL_SLOTS["accident_time"])})
            return slots

        settings = get_settings()
        slots = await in_session(choose)
        if slots is None:
            return self._rejected(tracker, "accident_vehicle", AnswerProblem.unknown_vehicle)
        return self._accepted("accident_vehicle", slots.pop("accident_vehicle"), **slots)

    async def validate_accident_time(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        """When: never in the future, never outside the policy's dates; a date alone asks for the time."""
        settings, lang = get_settings(), language(tracker)
        plate = tracker.get_slot("accident_vehicle")

        def policy_dates(session: Session) -> tuple[date | None, date | None]:
            policyholder = identity.verified_policyholder(session, telegram_user_id(tracker))
            try:
                policy = covered_vehicle(policyholder, plate).policy if policyholder and plate else None
            except VehicleNotCovered:
                policy = None
            return (policy.starts_on, policy.ends_on) if policy else (None, None)

        starts_on, ends_on = await in_session(policy_dates)
        known = tracker.get_slot("accident_date_known")
        parsed = answers.parse_incident_time(
            self._answer(tracker, value, "accident_time"), now=datetime.now(timezone.utc), tz=settings.timezone,
            policy_start=starts_on, policy_end=ends_on, known_date=date.fromisoformat(known) if known else None,
        )
        if parsed.problem is AnswerProblem.need_time:  # progress, not a failure: keep the date, ask the time
            return {"accident_time": None, "report_error": AnswerProblem.need_time.value,
                    "accident_date_known": parsed.known_date.isoformat(),
                    "accident_date_label": wording.format_date(parsed.known_date, lang, settings.timezone)}
        if not parsed.ok:
            return self._rejected(tracker, "accident_time", parsed.problem)
        return self._accepted("accident_time", parsed.value.isoformat(), accident_date_known=None,
                              accident_time_label=wording.format_date_time(parsed.value, lang, settings.timezone))

    async def validate_accident_location(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        """A shared location, or a typed address or landmark."""
        latitude = next(tracker.get_latest_entity_values("latitude"), None)
        longitude = next(tracker.get_latest_entity_values("longitude"), None)
        if latitude is not None and longitude is not None:
            place = answers.describe_coordinates(float(latitude), float(longitude))
            return self._accepted("accident_location", place, accident_location_label=f"📍 {place}",
                                  accident_latitude=float(latitude), accident_longitude=float(longitude))
        checked = answers.check_address(self._answer(tracker, value, "accident_location"))
        if not checked.ok:
            return self._rejected(tracker, "accident_location", checked.problem)
        return self._accepted("accident_location", checked.value, accident_location_label=checked.value,
                              accident_latitude=None, accident_longitude=None)

    async def validate_accident_description(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        """What happened, in the customer's words."""
        checked = answers.check_description(self._answer(tracker, value, "accident_description"))
        if not checked.ok:
            return self._rejected(tracker, "accident_description", checked.problem)
        return self._accepted("accident_description", checked.value)

    async def validate_third_party(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        """Nobody else, another vehicle, someone's property or a pedestrian."""
        parsed = answers.parse_third_party(self._answer(tracker, value, "third_party"))
        if not parsed.ok:
            return self._rejected(tracker, "third_party", parsed.problem)
        return self._accepted("third_party", parsed.value.value,
                              third_party_label=wording.third_party_label(parsed.value, language(tracker)))

    async def validate_police_report_number(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        """Optional: a report number, or none."""
        parsed = answers.parse_police_report_number(self._answer(tracker, value, "police_report_number"))
        if not parsed.ok:
            return self._rejected(tracker, "police_report_number", parsed.problem)
        if parsed.value is None:
            return self._accepted("police_report_number", NO_POLICE_REPORT,
                                  police_report_label=wording.no_police_report_label(language(tracker)))
        return self._accepted("police_report_number", parsed.value, police_report_label=parsed.value)

    async def validate_drivable(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        """Whether the car can still be driven."""
        parsed = answers.parse_drivable(self._answer(tracker, value, "drivable"))
        if not parsed.ok:
            return self._rejected(tracker, "drivable", parsed.problem)
        return self._accepted("drivable", "yes" if parsed.value else "no",
                              drivable_label=wording.yes_no_label(parsed.value, language(tracker)))

    async def validate_estimate_band(self, value: Any, dispatcher, tracker: Tracker, domain: DomainDict):
        """A rough repair cost: a band, an amount, or "not sure"."""
        parsed = answers.parse_estimate_band(self._answer(tracker, value, "estimate_band"))
        if not parsed.ok:
            return self._rejected(tracker, "estimate_band", parsed.problem)
        return self._accepted("estimate_band", parsed.value.value,
                              estimate_band_label=wording.estimate_band_label(parsed.value, language(tracker)))


class ActionReviewAccidentReport(Action):
    """The form stopped: all answered (summary), or three unusable answers (offer a person)."""

    def name(self) -> str:
        return "action_review_accident_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        if tracker.get_slot("report_needs_help"):
            return [SlotSet("report_outcome", "needs_help")]
        return [SlotSet("report_outcome", "summary")]


class ActionReopenReportField(Action):
    """Forget one answer so that the form asks it again (from the summary or mid-form)."""

    def name(self) -> str:
        return "action_reopen_report_field"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        if not tracker.get_slot("report_policyholder_name"):  # set when a report starts, cleared when it ends
            return [SlotSet("correction", "no_report")]
        field = next(tracker.get_latest_entity_values("report_field"), None)
        events = [SlotSet("correction", "reopened")]
        if field not in FORM_SLOTS:
            return events
        # Another car may be under another policy: its dates must be checked against the time again.
        fields = (field, "accident_time") if field == "accident_vehicle" else (field,)
        return events + cleared(fields)


class ActionFileClaim(ClaimsAction):
    """File the confirmed report as a claim, triaged, and tell what to send first."""

    def name(self) -> str:
        return "action_file_claim"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict, *, session: Session):
        slots = {name: tracker.get_slot(name) for name in FORM_SLOTS}
        policyholder = identity.verified_policyholder(session, telegram_user_id(tracker))
        if policyholder is None or any(value is None for value in slots.values()):
            return [SlotSet("report_filed", "incomplete")]
        settings, lang = get_settings(), language(tracker)
        police = slots["police_report_number"]
        facts = AccidentFacts(
            plate_number=slots["accident_vehicle"],
            incident_at=datetime.fromisoformat(slots["accident_time"]),
            location_text=slots["accident_location"],
            latitude=tracker.get_slot("accident_latitude"),
            longitude=tracker.get_slot("accident_longitude"),
            description=slots["accident_description"],
            third_party=ThirdParty(slots["third_party"]),
            police_report_number=None if police == NO_POLICE_REPORT else police,
            drivable=slots["drivable"] == "yes",
            estimate_band=EstimateBand(slots["estimate_band"]),
        )
        try:
            filed = file_claim(session, policyholder=policyholder, facts=facts, now=datetime.now(timezone.utc),
                               settings=settings)
        except VehicleNotCovered:  # the policy ended between the question and the submit
            return [SlotSet("report_filed", "incomplete")]
        checklist = filed.checklist
        return [
            SlotSet("report_filed", "filed"),
            SlotSet("filed_claim_number", filed.claim.claim_number),
            SlotSet("filed_fast_track", filed.claim.fast_track),
            SlotSet("triage_reasons_text", wording.triage_reasons_text(filed.triage_reasons, lang)
                    if filed.triage_reasons else None),
            SlotSet("fast_track_limit_label", wording.format_money(settings.fast_track_limit, lang, settings.currency)),
            SlotSet("documents_total", len(checklist)),
            SlotSet("documents_missing_text", wording.checklist_text(checklist, lang)),
            SlotSet("next_document_label", wording.checklist_label(checklist[0], lang)),
            SlotSet("report_policyholder_name", None),  # the report is over: a second "yes" files nothing
            *cleared(),
        ]


class ActionCancelAccidentReport(Action):
    """Forget the report in progress; nothing is filed."""

    def name(self) -> str:
        return "action_cancel_accident_report"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict):
        return [SlotSet("report_policyholder_name", None), SlotSet("requested_slot", None), *cleared()]
