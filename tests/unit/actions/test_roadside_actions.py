"""The roadside actions through Tracker.from_dict: what the first message already says, the identity check,
one open request, the answers' validation, the cover, storing the request, the status and cancelling."""
from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.roadside import (
    ActionCancelRoadsideRequest, ActionReviewRoadsideRequest, ActionRoadsideStatus, ActionStartRoadsideRequest,
    ActionSubmitRoadsideRequest, ValidateRoadsideForm,
)
from claims.clock import utcnow
from claims.enums import PolicyStatus, RoadsideStatus
from claims.models import RoadsideRequest
from claims.roadside.notices import ROADSIDE_REQUESTED
from tests.factories import make_linked_policyholder, make_policy, make_roadside_request, make_vehicle


def tracker(user_id: int, *, text: str, intent: str = "request_roadside_assistance", entities: list | None = None,
            slots: dict | None = None, previous_actions: tuple[str, ...] = (), language: str = "en") -> Tracker:
    events = [{"event": "action", "name": name} for name in previous_actions]
    latest = {"intent": {"name": intent}, "text": text, "entities": entities or [],
              "metadata": {"chat_id": user_id, "telegram_user_id": user_id, "language": language}}
    return Tracker.from_dict({
        "sender_id": str(user_id), "slots": {"language": language, **(slots or {})}, "latest_message": latest,
        "events": events + [{"event": "user", "text": text, "parse_data": latest}], "paused": False,
        "followup_action": None, "active_loop": {}, "latest_action_name": "action_listen",
    })


@pytest.fixture
def motorist(use_test_database):
    """A verified policyholder with one car on an active policy; returns (telegram user id, vehicle)."""
    session = use_test_database
    today = utcnow().date()
    holder = make_linked_policyholder(session)
    policy = make_policy(session, policyholder=holder, starts_on=today - timedelta(days=30),
                         ends_on=today + timedelta(days=300))
    return holder.telegram_user_id, make_vehicle(session, policy=policy)


def run(action, tracker_):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, {}))
    return dispatcher, {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def validate(slot, value, tracker_):
    form = ValidateRoadsideForm()
    method = getattr(form, f"validate_{slot}")
    return asyncio.run(method(value, CollectingDispatcher(), tracker_, {}))


def test_the_first_message_fills_what_it_says_and_a_motorway_comes_with_safety_first(motorist):
    user, vehicle = motorist
    _, slots = run(ActionStartRoadsideRequest(), tracker(user, text="flat tyre on the G15 towards Ningbo near km 1032"))
    assert slots["roadside_access"] == "ready" and slots["roadside_hazard"] == "yes"
    assert slots["roadside_service"] == "tyre_change" and slots["roadside_service_label"] == "tyre change"
    assert "G15" in slots["roadside_location"]
    assert slots["roadside_vehicle"] == vehicle.plate_number  # one car: not asked


def test_a_message_naming_nothing_leaves_every_step_to_ask(motorist):
    user, _ = motorist
    _, slots = run(ActionStartRoadsideRequest(), tracker(user, text="/request_roadside_assistance"))
    assert slots["roadside_access"] == "ready" and slots["roadside_hazard"] == "no"
    assert slots["roadside_service"] is None and slots["roadside_location"] is None


def test_a_stranger_is_checked_first_and_the_safety_advice_is_not_repeated_after_it(use_test_database):
    _, slots = run(ActionStartRoadsideRequest(), tracker(424242, text="我在高速上爆胎了", language="zh"))
    assert (slots["roadside_access"], slots["pending_task"], slots["roadside_hazard"]) == (
        "needs_verification", "request_roadside", "yes")
    assert slots["roadside_service"] == "tyre_change" and slots["roadside_service_label"] == "换胎"
    again = tracker(424242, text="/share_contact", intent="share_contact", language="zh",
                    slots={"pending_task": "request_roadside", "roadside_safety_shown": True,
                           "roadside_service": "tyre_change"})
    _, slots = run(ActionStartRoadsideRequest(), again)
    assert slots["roadside_hazard"] == "no" and "roadside_service" not in slots  # kept, not asked again


def test_an_open_request_is_shown_instead_of_a_second_one(motorist, use_test_database):
    user, vehicle = motorist
    make_roadside_request(use_test_database, vehicle=vehicle, status=RoadsideStatus.en_route, driver_name="王师傅",
                          truck_plate="沪AD1234", eta_minutes=7)
    _, slots = run(ActionStartRoadsideRequest(), tracker(user, text="my battery is dead"))
    assert slots["roadside_access"] == "open_request" and slots["roadside_progress"] == "on_the_way"
    assert (slots["roadside_truck_plate"], slots["roadside_eta"]) == ("沪AD1234", "7")


@pytest.mark.parametrize("answer, error", [("here", "vague"), ("这里", "vague"), ("ab", "too_short")])
def test_a_place_a_truck_cannot_find_is_asked_again_with_the_reason(motorist, answer, error):
    user, _ = motorist
    slots = validate("roadside_location", answer, tracker(user, text=answer, intent="choose_answer"))
    assert slots["roadside_location"] is None and slots["roadside_error"] == error and slots["roadside_failures"] == 1


def test_a_shared_location_is_taken_with_its_coordinates(motorist):
    user, _ = motorist
    entities = [{"entity": "latitude", "value": 31.2304}, {"entity": "longitude", "value": 121.4737}]
    slots = validate("roadside_location", "/share_location", tracker(user, text="/share_location", intent="share_location",
                                                                      entities=entities))
    assert (slots["roadside_latitude"], slots["roadside_longitude"]) == (31.2304, 121.4737)
    assert slots["roadside_error"] is None


def test_the_third_unusable_answer_stops_the_form(motorist):
    user, _ = motorist
    slots = validate("roadside_service", "purple", tracker(user, text="purple", intent="choose_answer",
                                                           slots={"roadside_failures": 2}))
    assert slots["requested_slot"] is None and slots["roadside_failures"] == 3


def test_a_button_answer_names_the_service(motorist):
    user, _ = motorist
    slots = validate("roadside_service", "/inform", tracker(user, text="/inform", intent="choose_answer",
                                                            entities=[{"entity": "report_answer", "value": "winch"}]))
    assert slots["roadside_service"] == "winch"


def answered(vehicle, **extra):
    return {"roadside_service": "jump_start", "roadside_location": "31.23040, 121.47370", "roadside_latitude": 31.2304,
            "roadside_longitude": 121.4737, "roadside_vehicle": vehicle.plate_number, **extra}


def test_covered_shows_the_summary_with_the_calls_left(motorist):
    user, vehicle = motorist
    _, slots = run(ActionReviewRoadsideRequest(), tracker(user, text="x", slots=answered(vehicle)))
    assert slots["roadside_outcome"] == "summary" and slots["roadside_calls_left"] == "2"


def test_an_expired_policy_is_refused_with_the_price(use_test_database):
    holder = make_linked_policyholder(use_test_database)
    policy = make_policy(use_test_database, policyholder=holder, status=PolicyStatus.expired,
                         starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31))
    vehicle = make_vehicle(use_test_database, policy=policy)
    _, slots = run(ActionReviewRoadsideRequest(), tracker(holder.telegram_user_id, text="x", slots=answered(vehicle)))
    assert (slots["roadside_outcome"], slots["roadside_refusal"], slots["roadside_cost"]) == ("refused", "policy_inactive", "150")


def test_submitting_stores_the_request_once_and_tells_the_bot(motorist, use_test_database):
    user, vehicle = motorist
    dispatcher, slots = run(ActionSubmitRoadsideRequest(), tracker(user, text="/affirm", intent="affirm",
                                                                   slots=answered(vehicle)))
    assert slots["roadside_submitted"] == "submitted"
    request = use_test_database.scalars(select(RoadsideRequest).where(RoadsideRequest.vehicle_id == vehicle.id)).one()
    assert slots["roadside_reference"] == request.reference and request.chat_id == user
    assert dispatcher.messages[0]["custom"] == {"notice": ROADSIDE_REQUESTED, "request_id": request.id}
    _, again = run(ActionSubmitRoadsideRequest(), tracker(user, text="/affirm", intent="affirm", slots=answered(vehicle)))
    assert again["roadside_submitted"] == "already_open"
    assert len(use_test_database.scalars(select(RoadsideRequest).where(RoadsideRequest.vehicle_id == vehicle.id)).all()) == 1


def test_the_status_without_a_rescue(use_test_database):
    _, slots = run(ActionRoadsideStatus(), tracker(777, text="where is the truck", intent="ask_roadside_status"))
    assert slots["roadside_progress"] == "none"


def test_cancelling_asks_first_then_cancels(motorist, use_test_database):
    user, vehicle = motorist
    request = make_roadside_request(use_test_database, vehicle=vehicle, chat_id=user, status=RoadsideStatus.booked,
                                    provider_job_id=f"J-{user}")
    _, slots = run(ActionCancelRoadsideRequest(), tracker(user, text="cancel the truck", intent="cancel"))
    assert slots["roadside_cancel"] == "confirm"
    use_test_database.refresh(request)
    assert request.status is RoadsideStatus.booked
    dispatcher, slots = run(ActionCancelRoadsideRequest(), tracker(
        user, text="/affirm", intent="affirm", previous_actions=("utter_confirm_roadside_cancel",)))
    assert slots["roadside_cancel"] == "cancelled"
    use_test_database.refresh(request)
    assert request.status is RoadsideStatus.cancelled and request.provider_cancel_pending
    assert dispatcher.messages[0]["custom"]["notice"] == ROADSIDE_REQUESTED


def test_too_late_to_cancel_once_the_truck_is_nearly_there(motorist, use_test_database):
    user, vehicle = motorist
    make_roadside_request(use_test_database, vehicle=vehicle, chat_id=user, status=RoadsideStatus.approaching)
    _, slots = run(ActionCancelRoadsideRequest(), tracker(user, text="cancel", intent="cancel"))
    assert slots["roadside_cancel"] == "too_late"
