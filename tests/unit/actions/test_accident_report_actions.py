"""The accident-report actions: start, validate each answer, review, correct, file, cancel; the checklist."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions import accident_report, store
from actions.accident_report import (
    FORM_SLOTS, LABEL_SLOTS, ActionCancelAccidentReport, ActionCheckInjuries, ActionFileClaim, ActionReopenReportField,
    ActionReviewAccidentReport, ActionStartAccidentReport, ValidateAccidentReportForm,
)
from actions.base import ACTION_FAILED
from actions.documents import ActionDocumentChecklist
from claims import wording
from claims.db import make_session_factory
from claims.enums import ChecklistItem as I, PolicyStatus, ThirdParty
from claims.models import Claim
from claims.services import identity
from claims.settings import ClaimsSettings
from claims.stages import ClaimStage
from claims.triage import EstimateBand
from tests.factories import (
    make_claim, make_document, make_linked_policyholder, make_policy, make_vehicle,
)

TZ = ZoneInfo("Asia/Shanghai")
SETTINGS = ClaimsSettings(
    _env_file=None, database_url="sqlite://", business_timezone="Asia/Shanghai", currency="CNY",
    fast_track_limit=Decimal("5000"), verification_lock_minutes=15, verification_max_failures=3,
)
FAST = [I.front_left, I.front_right, I.rear_left, I.rear_right, I.damage_closeup, I.vin_or_plate,
        I.driving_licence, I.bank_card]
STRANGER = 8_800_001  # a Telegram account linked to nobody
PLATE = "沪A6K215"


def today() -> date:
    """Today in the business timezone (the actions read the real clock)."""
    return datetime.now(TZ).date()


# ------------------------------------------------------------------------------------------- helpers


def tracker(user_id: int | None, *, text: str = "", slots: dict | None = None, entities: tuple = (),
            previous_actions: tuple[str, ...] = (), lang: str = "en", intent: str = "choose_answer",
            trailing_events: tuple = ()) -> Tracker:
    chat = user_id if user_id is not None else 9_900_001
    metadata = {"chat_id": chat, "language": lang}
    if user_id is not None:
        metadata["telegram_user_id"] = user_id
    events = [{"event": "action", "name": name} for name in previous_actions]
    events += [{"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}, *trailing_events]
    return Tracker.from_dict({
        "sender_id": str(chat),
        "slots": {"language": lang, **(slots or {})},
        "latest_message": {"intent": {"name": intent}, "text": text, "entities": list(entities),
                           "metadata": metadata},
        "events": events,
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    })


def entity(name: str, value) -> dict:
    return {"entity": name, "value": value}


def run(action, tracker_) -> dict:
    """The slots the action sets (the last value of each)."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker_, {}))
    assert not any((m.get("json_message") or m.get("custom") or {}).get("notice") == ACTION_FAILED
                   for m in dispatcher.messages), "the action failed"
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def validate(slot: str, text, tracker_: Tracker) -> dict:
    """The form's validation of `slot`, as the answer to its question (unless the tracker says otherwise)."""
    tracker_.slots.setdefault("requested_slot", slot)
    method = getattr(ValidateAccidentReportForm(), f"validate_{slot}")
    return asyncio.run(method(text, CollectingDispatcher(), tracker_, {}))


def claim_count(session) -> int:
    return session.scalar(select(func.count()).select_from(Claim))


@pytest.fixture
def db(engine, session, monkeypatch):
    """The actions' store is the test database; their settings the defaults, whatever the environment."""
    monkeypatch.setattr(store, "session_factory", lambda: make_session_factory(engine))
    monkeypatch.setattr(accident_report, "get_settings", lambda: SETTINGS)
    return session


def add_policy(session, holder, **overrides):
    values = dict(starts_on=today() - timedelta(days=60), ends_on=today() + timedelta(days=300))
    return make_policy(session, policyholder=holder, **{**values, **overrides})


@pytest.fixture
def customer(db):
    """A linked policyholder with one covered car, 沪A6K215 (a Tesla Model 3)."""
    holder = make_linked_policyholder(db, full_name="Emma Carter")
    make_vehicle(db, policy=add_policy(db, holder), plate_number=PLATE, make="Tesla", model="Model 3")
    return holder


def with_second_car(session, holder):
    return make_vehicle(session, policy=add_policy(session, holder), plate_number="沪B12345", make="BYD",
                        model="Han")


# ------------------------------------------------------------------------------------ starting a report


@pytest.mark.parametrize("text, said", [
    ("a van hit me on Yan'an Road, nobody is hurt", "unhurt"),
    ("追尾了 我朋友头流血了", "hurt"),
    ("I had an accident", None),
    ("/report_accident", None),  # the menu button says nothing, whatever its payload carries
    ('/report_accident{"injuries_said": "unhurt"}', None),
])
def test_the_safety_question_is_skipped_only_when_the_first_message_answers_it(text, said):
    assert run(ActionCheckInjuries(), tracker(None, text=text, intent="report_accident")) == {"injuries_said": said}


def test_an_unverified_customer_is_sent_to_verification_first(db):
    slots = run(ActionStartAccidentReport(), tracker(STRANGER, text="I had an accident"))
    assert slots == {"report_access": "needs_verification", "pending_task": "report_accident"}


def test_a_message_without_a_telegram_user_needs_verification(db):
    slots = run(ActionStartAccidentReport(), tracker(None, text="I had an accident"))
    assert slots["report_access"] == "needs_verification"


def test_a_customer_with_one_car_has_it_prefilled(customer):
    slots = run(ActionStartAccidentReport(), tracker(customer.telegram_user_id))
    assert slots["report_access"] == "ready" and slots["pending_task"] is None
    assert slots["accident_vehicle"] == PLATE
    assert slots["accident_vehicle_label"] == "沪A6K215 · Tesla Model 3"
    assert slots["report_plate_spelled"] == "沪 · A · 6 · K · 2 · 1 · 5"
    assert slots["report_policyholder_name"] == "Emma Carter"
    assert slots["report_policyholder_spelled"] == "E-M-M-A C-A-R-T-E-R"
    assert slots["vehicle_choice_count"] is None
    assert slots["policy_start_label"] == wording.format_date(today() - timedelta(days=60), "en", TZ)
    assert slots["policy_end_label"] == wording.format_date(today() + timedelta(days=300), "en", TZ)


def test_the_policy_dates_are_in_the_customers_language(customer):
    slots = run(ActionStartAccidentReport(), tracker(customer.telegram_user_id, lang="zh"))
    start = today() - timedelta(days=60)
    assert slots["policy_start_label"] == f"{start.year}年{start.month}月{start.day}日"


def test_a_new_report_forgets_the_answers_of_an_old_one(customer):
    old = {"accident_time": "2026-01-02T10:00:00+08:00", "accident_time_label": "2 Jan 2026, 10:00",
           "third_party": "none", "report_failures": 2, "report_error": "unclear", "report_needs_help": True}
    slots = run(ActionStartAccidentReport(), tracker(customer.telegram_user_id, slots=old))
    for name in ("accident_time", "accident_time_label", "accident_location", "third_party", "estimate_band",
                 "report_failures", "report_error", "report_needs_help"):
        assert name in slots and slots[name] is None, name


def test_a_customer_with_two_cars_chooses(customer, db):
    with_second_car(db, customer)
    slots = run(ActionStartAccidentReport(), tracker(customer.telegram_user_id))
    assert slots["report_access"] == "ready"
    assert slots["vehicle_choice_count"] == "2"
    assert (slots["vehicle_choice_1"], slots["vehicle_choice_2"]) == (PLATE, "沪B12345")
    assert slots["vehicle_choice_1_label"] == "沪A6K215 · Tesla Model 3"
    assert slots["vehicle_choice_2_label"] == "沪B12345 · BYD Han"
    assert slots["vehicle_choice_3"] is None and slots["vehicle_choice_3_label"] is None
    assert slots.get("accident_vehicle") is None and slots.get("accident_vehicle_label") is None


def test_at_most_three_cars_are_offered_as_buttons(customer, db):
    policy = add_policy(db, customer)
    for plate in ("沪C11111", "沪C22222", "沪C33333"):
        make_vehicle(db, policy=policy, plate_number=plate)
    slots = run(ActionStartAccidentReport(), tracker(customer.telegram_user_id))
    assert slots["vehicle_choice_count"] == "3"
    assert [slots[f"vehicle_choice_{n}"] for n in (1, 2, 3)] == [PLATE, "沪C11111", "沪C22222"]
    assert "vehicle_choice_4" not in slots


def test_a_customer_without_a_covered_car_cannot_report(db):
    holder = make_linked_policyholder(db)
    make_vehicle(db, policy=add_policy(db, holder, status=PolicyStatus.expired))
    slots = run(ActionStartAccidentReport(), tracker(holder.telegram_user_id))
    assert slots == {"report_access": "no_vehicle", "pending_task": None}


def fail_verification(session, chat: int, times: int) -> None:
    for _ in range(times):
        identity.verify_by_policy(session, chat_id=chat, telegram_user_id=chat, policy_number="PMV-2026-0000001",
                                  date_of_birth=date(1990, 1, 1), now=datetime.now(timezone.utc), settings=SETTINGS)


def test_a_chat_locked_after_three_failed_verifications_is_told_how_long(db):
    fail_verification(db, STRANGER, 3)
    slots = run(ActionStartAccidentReport(), tracker(STRANGER))
    assert slots["report_access"] == "locked" and slots["pending_task"] is None
    assert 14 <= slots["locked_minutes"] <= 15


def test_two_failed_verifications_do_not_lock(db):
    fail_verification(db, STRANGER, 2)
    slots = run(ActionStartAccidentReport(), tracker(STRANGER))
    assert slots == {"report_access": "needs_verification", "pending_task": "report_accident"}


def test_trying_again_after_the_offer_of_a_person_keeps_the_answers(customer):
    answered = {"accident_vehicle": PLATE, "accident_time": "2026-11-20T10:00:00+08:00",
                "accident_location": "Century Avenue 100", "report_failures": 0, "report_needs_help": True,
                "report_policyholder_name": "Emma Carter"}
    slots = run(ActionStartAccidentReport(), tracker(
        customer.telegram_user_id, text="no, let me try", intent="deny",
        previous_actions=("action_review_accident_report", "utter_offer_human_for_report", "action_listen"),
        slots=answered))
    assert slots == {"report_access": "ready", "pending_task": None, "report_error": None, "report_failures": 0,
                     "report_needs_help": None}


def test_another_previous_action_starts_afresh(customer):
    slots = run(ActionStartAccidentReport(), tracker(
        customer.telegram_user_id, previous_actions=("utter_ask_anyone_injured",),
        slots={"accident_time": "2026-11-20T10:00:00+08:00"}))
    assert slots["accident_time"] is None and slots["accident_vehicle"] == PLATE


# ------------------------------------------------------------------------------- validating answers


def answering(holder, slot_values: dict | None = None, *, text: str = "", failures: int | None = 0,
              entities: tuple = (), lang: str = "en") -> Tracker:
    slots = {"accident_vehicle": PLATE, "report_failures": failures, **(slot_values or {})}
    return tracker(holder.telegram_user_id, text=text, slots=slots, entities=entities, lang=lang)


def accepted(result: dict, slot: str, value) -> None:
    assert result[slot] == value
    assert result["report_error"] is None and result["report_failures"] == 0
    assert "requested_slot" not in result and not result.get("report_needs_help")


def yesterday_at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(today() - timedelta(days=1), time(hour, minute), tzinfo=TZ)


GOOD = [
    # slot, typed, value, labels
    ("accident_vehicle", "沪a 6k215", PLATE, {"accident_vehicle_label": "沪A6K215 · Tesla Model 3",
                                             "report_plate_spelled": "沪 · A · 6 · K · 2 · 1 · 5"}),
    ("accident_vehicle", "the tesla", PLATE, {"accident_vehicle_label": "沪A6K215 · Tesla Model 3"}),
    ("accident_location", "Century Avenue 100, Pudong", "Century Avenue 100, Pudong",
     {"accident_location_label": "Century Avenue 100, Pudong", "accident_latitude": None,
      "accident_longitude": None}),
    ("accident_description", "  A taxi hit my   rear bumper at the lights ", "A taxi hit my rear bumper at the lights",
     {}),
    ("third_party", "a taxi hit me", "other_vehicle", {"third_party_label": "Another vehicle"}),
    ("third_party", "no, just me", "none", {"third_party_label": "Nobody else, only my car"}),
    ("police_report_number", "none", "none", {"police_report_label": "None"}),
    ("police_report_number", "sh 2026 00123", "SH202600123", {"police_report_label": "SH202600123"}),
    ("drivable", "yes", "yes", {"drivable_label": "Yes"}),
    ("drivable", "no, it needs a tow", "no", {"drivable_label": "No"}),
    ("estimate_band", "about 3000", "from_2000_to_5000", {"estimate_band_label": "2,000–5,000 CNY"}),
    ("estimate_band", "not sure", "unknown", {"estimate_band_label": "Not sure yet"}),
]


@pytest.mark.parametrize(("slot", "typed", "value", "labels"), GOOD)
def test_a_good_answer_is_taken_with_its_label(customer, slot, typed, value, labels):
    result = validate(slot, typed, answering(customer, text=typed, failures=2))
    accepted(result, slot, value)
    for name, label in labels.items():
        assert result[name] == label, name


def test_a_good_time_is_taken_in_the_business_timezone(customer):
    result = validate("accident_time", "yesterday at 3pm", answering(customer, text="yesterday at 3pm", failures=1))
    accepted(result, "accident_time", yesterday_at(15).isoformat())
    assert datetime.fromisoformat(result["accident_time"]).utcoffset() == timedelta(hours=8)
    assert result["accident_time_label"] == wording.format_date_time(yesterday_at(15), "en", TZ)
    assert result["accident_date_known"] is None


BAD = [
    ("accident_vehicle", "banana", "unknown_vehicle"),
    ("accident_vehicle", "沪B99999", "unknown_vehicle"),  # a plate, not theirs
    ("accident_time", "banana", "unclear"),
    ("accident_location", "12", "unclear"),
    ("accident_location", "ab", "too_short"),
    ("accident_description", "ok", "too_short"),
    ("accident_description", "!!!!!!", "unclear"),
    ("third_party", "blue", "unclear"),
    ("police_report_number", "abc", "unclear"),
    ("drivable", "purple", "unclear"),
    ("estimate_band", "lots", "unclear"),
]


@pytest.mark.parametrize(("slot", "typed", "problem"), BAD)
@pytest.mark.parametrize("failures_before", [None, 0, 1])
def test_a_bad_answer_is_refused_and_counted(customer, slot, typed, problem, failures_before):
    result = validate(slot, typed, answering(customer, text=typed, failures=failures_before))
    assert result == {slot: None, "report_error": problem, "report_failures": (failures_before or 0) + 1}


@pytest.mark.parametrize(("slot", "typed", "problem"), BAD)
def test_the_third_bad_answer_in_a_row_stops_the_form(customer, slot, typed, problem):
    result = validate(slot, typed, answering(customer, text=typed, failures=2))
    assert result[slot] is None
    assert result["requested_slot"] is None and result["report_needs_help"] is True
    assert result["report_error"] is None and result["report_failures"] == 0


def test_a_good_answer_after_two_bad_ones_starts_the_count_afresh(customer):
    result = validate("drivable", "yes", answering(customer, text="yes", failures=2))
    accepted(result, "drivable", "yes")


def test_an_unverified_customer_cannot_choose_a_car(db):
    result = validate("accident_vehicle", PLATE, tracker(STRANGER, text=PLATE, slots={"report_failures": 0}))
    assert result == {"accident_vehicle": None, "report_error": "unknown_vehicle", "report_failures": 1}


def test_a_car_is_chosen_by_position_among_several(customer, db):
    with_second_car(db, customer)
    result = validate("accident_vehicle", "2", answering(customer, {"accident_vehicle": None}, text="2"))
    accepted(result, "accident_vehicle", "沪B12345")
    assert result["accident_vehicle_label"] == "沪B12345 · BYD Han"


# --- a button's answer


@pytest.mark.parametrize(
    ("slot", "button", "value"),
    [
        ("third_party", "pedestrian", "pedestrian"),
        ("drivable", "no", "no"),
        ("estimate_band", "over_20000", "over_20000"),
        ("police_report_number", "none", "none"),
    ],
)
def test_a_button_answer_wins_over_the_text(customer, slot, button, value):
    typed = "yes, a car, about 100"  # a different (or no) answer if read as text
    result = validate(slot, typed, answering(customer, text=typed, entities=(entity("report_answer", button),)))
    accepted(result, slot, value)


def test_a_car_button_wins_over_the_text(customer, db):
    with_second_car(db, customer)
    result = validate("accident_vehicle", "the tesla", answering(
        customer, {"accident_vehicle": None}, text="the tesla", entities=(entity("report_answer", "沪B12345"),)))
    accepted(result, "accident_vehicle", "沪B12345")


# --- where


def test_a_shared_location_is_taken_from_its_coordinates(customer):
    result = validate("accident_location", "/share_location", answering(
        customer, text="/share_location", entities=(entity("latitude", 31.2304), entity("longitude", 121.4737))))
    accepted(result, "accident_location", "31.23040, 121.47370")
    assert result["accident_location_label"] == "📍 31.23040, 121.47370"
    assert result["accident_latitude"] == pytest.approx(31.2304)
    assert result["accident_longitude"] == pytest.approx(121.4737)


def test_coordinates_sent_as_strings_are_read_as_numbers(customer):
    result = validate("accident_location", "", answering(
        customer, entities=(entity("latitude", "22.5431"), entity("longitude", "114.0579"))))
    assert result["accident_location"] == "22.54310, 114.05790"
    assert isinstance(result["accident_latitude"], float)


def test_coordinates_on_the_equator_and_the_meridian_count(customer):
    result = validate("accident_location", "", answering(
        customer, entities=(entity("latitude", 0.0), entity("longitude", 0.0))))
    accepted(result, "accident_location", "0.00000, 0.00000")
    assert (result["accident_latitude"], result["accident_longitude"]) == (0.0, 0.0)


def test_a_latitude_alone_is_not_a_location(customer):
    result = validate("accident_location", "x", answering(customer, text="x", entities=(entity("latitude", 31.2),)))
    assert result["accident_location"] is None and result["report_error"] == "too_short"


# --- when


def test_a_time_in_the_future_is_refused(customer):
    result = validate("accident_time", "tomorrow at 10am", answering(customer, text="tomorrow at 10am"))
    assert result == {"accident_time": None, "report_error": "in_future", "report_failures": 1}


def test_a_time_before_the_policy_started_is_refused(db):
    holder = make_linked_policyholder(db)
    policy = add_policy(db, holder, starts_on=today() - timedelta(days=10))
    make_vehicle(db, policy=policy, plate_number=PLATE)
    typed = f"{(today() - timedelta(days=20)).isoformat()} 10:00"
    result = validate("accident_time", typed, answering(holder, text=typed))
    assert result == {"accident_time": None, "report_error": "before_policy", "report_failures": 1}


def test_a_time_after_the_policy_ended_is_refused(db):
    holder = make_linked_policyholder(db)
    policy = add_policy(db, holder, ends_on=today() - timedelta(days=5))  # not yet marked expired
    make_vehicle(db, policy=policy, plate_number=PLATE)
    result = validate("accident_time", "yesterday at 3pm", answering(holder, text="yesterday at 3pm"))
    assert result == {"accident_time": None, "report_error": "after_policy", "report_failures": 1}


def test_the_policy_dates_of_the_chosen_car_are_the_ones_checked(customer, db):
    other = make_vehicle(db, policy=add_policy(db, customer, starts_on=today() - timedelta(days=3)),
                         plate_number="沪B12345")
    typed = f"{(today() - timedelta(days=10)).isoformat()} 10:00"
    on_first = validate("accident_time", typed, answering(customer, text=typed))
    assert on_first["accident_time"] is not None
    on_other = validate("accident_time", typed, answering(customer, {"accident_vehicle": other.plate_number},
                                                          text=typed))
    assert on_other["report_error"] == "before_policy"


def test_a_date_alone_asks_for_the_time_without_counting_a_failure(customer):
    day = today() - timedelta(days=2)
    result = validate("accident_time", day.isoformat(), answering(customer, text=day.isoformat(), failures=2))
    assert result == {"accident_time": None, "report_error": "need_time", "accident_date_known": day.isoformat(),
                      "accident_date_label": wording.format_date(day, "en", TZ)}


def test_then_a_time_alone_completes_the_date(customer):
    day = today() - timedelta(days=2)
    result = validate("accident_time", "15:30", answering(
        customer, {"accident_date_known": day.isoformat()}, text="15:30", failures=1))
    moment = datetime.combine(day, time(15, 30), tzinfo=TZ)
    accepted(result, "accident_time", moment.isoformat())
    assert result["accident_date_known"] is None
    assert result["accident_time_label"] == wording.format_date_time(moment, "en", TZ)


def test_a_new_full_date_wins_over_the_date_already_given(customer):
    known = today() - timedelta(days=2)
    result = validate("accident_time", "yesterday at 3pm", answering(
        customer, {"accident_date_known": known.isoformat()}, text="yesterday at 3pm"))
    accepted(result, "accident_time", yesterday_at(15).isoformat())


# --- Chinese


@pytest.mark.parametrize(
    ("slot", "typed", "value", "label_slot", "label"),
    [
        ("third_party", "撞到护栏了", "property", "third_party_label", "他人财物"),
        ("police_report_number", "没有", "none", "police_report_label", "无"),
        ("drivable", "能开", "yes", "drivable_label", "是"),
        ("drivable", "开不了，要拖车", "no", "drivable_label", "否"),
        ("estimate_band", "三千左右", "from_2000_to_5000", "estimate_band_label", "2000–5000 元"),
        ("estimate_band", "不知道", "unknown", "estimate_band_label", "暂不确定"),
    ],
)
def test_labels_in_chinese(customer, slot, typed, value, label_slot, label):
    result = validate(slot, typed, answering(customer, text=typed, lang="zh"))
    accepted(result, slot, value)
    assert result[label_slot] == label


def test_time_and_policy_labels_in_chinese(customer):
    result = validate("accident_time", "昨天下午3点", answering(customer, text="昨天下午3点", lang="zh"))
    moment = yesterday_at(15)
    accepted(result, "accident_time", moment.isoformat())
    assert result["accident_time_label"] == f"{moment.year}年{moment.month}月{moment.day}日 15:00"
    day = today() - timedelta(days=2)
    typed = f"{day.month}月{day.day}日"
    asked = validate("accident_time", typed, answering(customer, text=typed, lang="zh"))
    assert asked["report_error"] == "need_time"
    assert asked["accident_date_label"] == f"{day.year}年{day.month}月{day.day}日"
    car = validate("accident_vehicle", PLATE, answering(customer, {"accident_vehicle": None}, text=PLATE, lang="zh"))
    start = today() - timedelta(days=60)
    assert car["policy_start_label"] == f"{start.year}年{start.month}月{start.day}日"


# --- the form as Rasa runs it


def test_the_form_validation_stops_the_form_on_the_third_failure(customer):
    domain = {"forms": {"accident_report_form": {"required_slots": list(FORM_SLOTS)}}}  # as in accident.yml
    tracker_ = answering(customer, {"third_party": "blue", "requested_slot": "third_party"}, text="blue", failures=2)
    tracker_.events.append({"event": "slot", "name": "third_party", "value": "blue"})
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ValidateAccidentReportForm().run(dispatcher, tracker_, domain))
    slots = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert slots["third_party"] is None and slots["report_needs_help"] is True
    last_requested = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "requested_slot"]
    assert last_requested and last_requested[-1] is None


# ---------------------------------------------------------------------------------- review, correct


def test_review_shows_the_summary_when_all_is_answered(db):
    assert run(ActionReviewAccidentReport(), tracker(STRANGER, slots={"report_needs_help": None})) == {
        "report_outcome": "summary"}


def test_review_offers_a_person_after_three_bad_answers(db):
    assert run(ActionReviewAccidentReport(), tracker(STRANGER, slots={"report_needs_help": True})) == {
        "report_outcome": "needs_help"}


def test_nothing_to_correct_without_a_report(db):
    slots = run(ActionReopenReportField(), tracker(STRANGER, text="change the time", intent="correct_report",
                                                  entities=(entity("report_field", "accident_time"),)))
    assert slots == {"correction": "no_report"}


def in_progress(**extra) -> dict:
    return {"report_policyholder_name": "Emma Carter", "accident_vehicle": PLATE,
            "accident_time": "2026-11-20T10:00:00+08:00", "accident_time_label": "20 Nov 2026, 10:00",
            "accident_location": "Century Avenue 100", **extra}


def test_reopening_the_time_forgets_it_and_its_labels_only(db):
    slots = run(ActionReopenReportField(), tracker(
        STRANGER, text="change the time", intent="correct_report", slots=in_progress(),
        entities=(entity("report_field", "accident_time"),)))
    assert slots["correction"] == "reopened"
    for name in ("accident_time", "accident_time_label", "accident_date_known", "accident_date_label",
                 "report_error", "report_failures", "report_needs_help"):
        assert name in slots and slots[name] is None, name
    assert not {"accident_vehicle", "accident_location", "third_party", "estimate_band"} & slots.keys()


def test_reopening_the_car_forgets_its_policy_dates(db):
    slots = run(ActionReopenReportField(), tracker(
        STRANGER, intent="correct_report", slots=in_progress(), entities=(entity("report_field", "accident_vehicle"),)))
    assert {name: slots[name] for name in ("accident_vehicle", *LABEL_SLOTS["accident_vehicle"])} == dict.fromkeys(
        ("accident_vehicle", *LABEL_SLOTS["accident_vehicle"]))
    assert not {"accident_location", "accident_description", "third_party", "estimate_band"} & slots.keys()


@pytest.mark.parametrize("field", ["colour", "report_policyholder_name", None])
def test_an_unknown_field_clears_nothing(db, field):
    entities = (entity("report_field", field),) if field else ()
    slots = run(ActionReopenReportField(), tracker(STRANGER, intent="correct_report", slots=in_progress(),
                                                  entities=entities))
    assert slots == {"correction": "reopened"}


# ------------------------------------------------------------------------------------------ filing


def complete_report(**overrides) -> dict:
    values = {
        "report_policyholder_name": "Emma Carter",
        "accident_vehicle": PLATE,
        "accident_time": yesterday_at(15).isoformat(),
        "accident_location": "Century Avenue 100, Pudong",
        "accident_latitude": None,
        "accident_longitude": None,
        "accident_description": "Reversed into a pillar in the car park",
        "third_party": "none",
        "police_report_number": "none",
        "drivable": "yes",
        "estimate_band": "under_2000",
    }
    values.update(overrides)
    return values


def apply(slots: dict, changes: dict) -> dict:
    return {**slots, **changes}


def test_filing_a_complete_report_opens_a_fast_track_claim(customer, db):
    report = complete_report()
    slots = run(ActionFileClaim(), tracker(customer.telegram_user_id, text="yes", intent="affirm", slots=report))
    assert slots["report_filed"] == "filed"
    assert slots["filed_claim_number"] == f"CLM-{datetime.now(TZ).year}-000001"
    assert slots["filed_fast_track"] is True and slots["triage_reasons_text"] is None
    assert slots["fast_track_limit_label"] == "CNY 5,000.00"
    assert slots["documents_total"] == len(FAST)
    assert slots["documents_missing_text"] == wording.checklist_text(FAST, "en")
    assert slots["next_document_label"] == "Photo of the front-left corner"
    assert slots["report_policyholder_name"] is None
    for name in FORM_SLOTS + tuple(label for labels in LABEL_SLOTS.values() for label in labels):
        assert name in slots and slots[name] is None, name

    db.expire_all()
    claim = db.scalars(select(Claim)).one()
    assert claim.claim_number == slots["filed_claim_number"]
    assert claim.vehicle.plate_number == PLATE and claim.policy.policyholder_id == customer.id
    assert claim.stage is ClaimStage.reported and claim.fast_track is True
    assert claim.incident_at == yesterday_at(15)
    assert claim.location_text == "Century Avenue 100, Pudong" and claim.latitude is None
    assert claim.description == "Reversed into a pillar in the car park"
    assert claim.third_party is ThirdParty.none and claim.estimate_band is EstimateBand.under_2000
    assert claim.police_report_number is None and claim.drivable is True and claim.injuries is False
    assert abs(claim.reported_at - datetime.now(timezone.utc)) < timedelta(minutes=1)


def test_filing_a_standard_claim_says_why_in_the_customers_language(customer, db):
    report = complete_report(third_party="other_vehicle", estimate_band="unknown", police_report_number="SH202600123",
                             drivable="no", accident_location="31.23040, 121.47370", accident_latitude=31.2304,
                             accident_longitude=121.4737)
    slots = run(ActionFileClaim(), tracker(customer.telegram_user_id, slots=report, lang="zh"))
    assert slots["report_filed"] == "filed" and slots["filed_fast_track"] is False
    assert slots["triage_reasons_text"] == "涉及第三方、损失金额暂不确定"
    assert slots["fast_track_limit_label"] == "5,000.00 元"
    assert slots["documents_total"] == 11  # the standard list with the police report
    assert slots["next_document_label"] == "车辆左前45度照片"
    assert "交警事故认定书" in slots["documents_missing_text"]
    db.expire_all()
    claim = db.scalars(select(Claim)).one()
    assert claim.police_report_number == "SH202600123" and claim.drivable is False
    assert claim.latitude == pytest.approx(31.2304) and claim.longitude == pytest.approx(121.4737)
    assert claim.third_party is ThirdParty.other_vehicle and claim.estimate_band is EstimateBand.unknown


def test_filing_twice_files_one_claim(customer, db):
    report = complete_report()
    first = run(ActionFileClaim(), tracker(customer.telegram_user_id, slots=report))
    assert first["report_filed"] == "filed"
    second = run(ActionFileClaim(), tracker(customer.telegram_user_id, slots=apply(report, first)))
    assert second == {"report_filed": "incomplete"}
    assert claim_count(db) == 1


@pytest.mark.parametrize("missing", FORM_SLOTS)
def test_a_report_missing_an_answer_is_not_filed(customer, db, missing):
    slots = run(ActionFileClaim(), tracker(customer.telegram_user_id, slots=complete_report(**{missing: None})))
    assert slots == {"report_filed": "incomplete"}
    assert claim_count(db) == 0


def test_an_unverified_customer_files_nothing(db):
    slots = run(ActionFileClaim(), tracker(STRANGER, slots=complete_report()))
    assert slots == {"report_filed": "incomplete"}
    assert claim_count(db) == 0


def test_a_policy_cancelled_before_the_submit_files_nothing(customer, db):
    policy = customer.policies[0]
    policy.status = PolicyStatus.cancelled
    db.commit()
    slots = run(ActionFileClaim(), tracker(customer.telegram_user_id, slots=complete_report()))
    assert slots == {"report_filed": "incomplete"}
    assert claim_count(db) == 0


def test_the_claim_number_follows_earlier_claims(customer, db):
    make_claim(db, vehicle=make_vehicle(db), reported_at=datetime.now(timezone.utc) - timedelta(hours=1))
    slots = run(ActionFileClaim(), tracker(customer.telegram_user_id, slots=complete_report()))
    assert slots["filed_claim_number"] == f"CLM-{datetime.now(TZ).year}-000002"


# ------------------------------------------------------------------------------------------ cancelling


def test_cancelling_forgets_the_report(db):
    slots = run(ActionCancelAccidentReport(), tracker(STRANGER, intent="cancel", slots=complete_report(
        report_failures=1, report_error="unclear")))
    expected = {"report_policyholder_name", "requested_slot", "report_error", "report_failures", "report_needs_help",
                *FORM_SLOTS, *(label for labels in LABEL_SLOTS.values() for label in labels)}
    assert set(slots) == expected
    assert all(value is None for value in slots.values())
    assert claim_count(db) == 0


# ------------------------------------------------------------------------------------- the checklist


def test_the_checklist_needs_a_verified_customer(db):
    assert run(ActionDocumentChecklist(), tracker(STRANGER)) == {"checklist_outcome": "needs_verification"}


def test_the_checklist_without_an_open_claim(customer, db):
    assert run(ActionDocumentChecklist(), tracker(customer.telegram_user_id)) == {"checklist_outcome": "no_open_claim"}
    make_claim(db, vehicle=customer.policies[0].vehicles[0], stage=ClaimStage.paid)
    assert run(ActionDocumentChecklist(), tracker(customer.telegram_user_id)) == {"checklist_outcome": "no_open_claim"}


def test_another_customers_claim_is_not_theirs(customer, db):
    make_claim(db, vehicle=make_vehicle(db))
    assert run(ActionDocumentChecklist(), tracker(customer.telegram_user_id)) == {"checklist_outcome": "no_open_claim"}


def test_the_checklist_counts_what_is_missing(customer, db):
    claim = make_claim(db, vehicle=customer.policies[0].vehicles[0], fast_track=True)
    make_document(db, claim=claim, item=I.front_left)
    make_document(db, claim=claim, item=I.front_right)
    slots = run(ActionDocumentChecklist(), tracker(customer.telegram_user_id))
    assert slots["checklist_outcome"] == "missing"
    assert slots["checklist_claim_number"] == claim.claim_number
    assert (slots["documents_total"], slots["documents_received"]) == (8, 2)
    assert slots["documents_missing_text"] == wording.checklist_text(FAST[2:], "en")
    assert slots["next_document_label"] == "Photo of the rear-left corner"


def test_the_checklist_in_chinese(customer, db):
    make_claim(db, vehicle=customer.policies[0].vehicles[0], fast_track=False, third_party=ThirdParty.property)
    slots = run(ActionDocumentChecklist(), tracker(customer.telegram_user_id, lang="zh"))
    assert slots["checklist_outcome"] == "missing"
    assert (slots["documents_total"], slots["documents_received"]) == (11, 0)
    assert slots["next_document_label"] == "车辆左前45度照片"
    assert "、" in slots["documents_missing_text"] and "交警事故认定书" in slots["documents_missing_text"]


def test_a_complete_checklist(customer, db):
    claim = make_claim(db, vehicle=customer.policies[0].vehicles[0], fast_track=True)
    for item in FAST:
        make_document(db, claim=claim, item=item)
    slots = run(ActionDocumentChecklist(), tracker(customer.telegram_user_id))
    assert slots["checklist_outcome"] == "complete"
    assert (slots["documents_total"], slots["documents_received"]) == (8, 8)
    assert slots["documents_missing_text"] == "" and slots["next_document_label"] is None


def test_the_checklist_is_of_the_claim_still_missing_documents(customer, db):
    car = customer.policies[0].vehicles[0]
    now = datetime.now(timezone.utc)
    older = make_claim(db, vehicle=car, fast_track=True, reported_at=now - timedelta(days=3))
    newer = make_claim(db, vehicle=car, fast_track=True, reported_at=now - timedelta(days=1))
    for item in FAST:
        make_document(db, claim=newer, item=item)
    slots = run(ActionDocumentChecklist(), tracker(customer.telegram_user_id))
    assert slots["checklist_claim_number"] == older.claim_number and slots["checklist_outcome"] == "missing"


# ----------------------------------------------------------------------- changing the car at the summary


def test_changing_the_car_does_not_file_an_accident_from_before_its_cover(customer, db):
    new_car = make_vehicle(db, policy=add_policy(db, customer, starts_on=today() - timedelta(days=3)),
                           plate_number="沪B12345", make="BYD", model="Han")
    slots = complete_report(accident_time=datetime.combine(today() - timedelta(days=10), time(10, 0),
                                                           tzinfo=TZ).isoformat())
    user = customer.telegram_user_id
    # the time was accepted for the first car, whose policy started 60 days ago
    typed = f"{(today() - timedelta(days=10)).isoformat()} 10:00"
    checked = validate("accident_time", typed, answering(customer, slots, text=typed))
    assert checked["accident_time"] == slots["accident_time"]
    # at the summary: "change the car", then the other car is chosen
    slots = apply(slots, run(ActionReopenReportField(), tracker(
        user, intent="correct_report", slots=slots, entities=(entity("report_field", "accident_vehicle"),))))
    slots = apply(slots, validate("accident_vehicle", "沪B12345", tracker(user, text="沪B12345", slots=slots)))
    assert slots["accident_vehicle"] == new_car.plate_number
    filed = run(ActionFileClaim(), tracker(user, text="yes", intent="affirm", slots=slots))
    claims_on_new_car = db.scalar(select(func.count()).select_from(Claim).where(Claim.vehicle_id == new_car.id))
    assert filed["report_filed"] == "incomplete" or slots.get("accident_time") is None
    assert claims_on_new_car == 0


# --- what the customer already said is not asked again

SUV = "a white SUV rear-ended me at the lights on Huaihai Road twenty minutes ago"


def run_form(tracker_: Tracker) -> dict:
    domain = {"forms": {"accident_report_form": {"required_slots": list(FORM_SLOTS)}}}  # as in accident.yml
    events = asyncio.run(ValidateAccidentReportForm().run(CollectingDispatcher(), tracker_, domain))
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


def test_the_start_keeps_the_message_that_reported_the_accident(customer):
    reported = {"event": "user", "text": SUV, "parse_data": {"intent": {"name": "report_accident"}}}
    tracker_ = tracker(customer.telegram_user_id, text="no we're fine", intent="deny",
                       previous_actions=("utter_ask_anyone_injured",))
    tracker_.events.insert(0, reported)
    assert run(ActionStartAccidentReport(), tracker_)["report_opening"] == SUV


def test_a_report_started_from_the_button_has_no_opening(customer):
    slots = run(ActionStartAccidentReport(), tracker(customer.telegram_user_id, text="/report_accident",
                                                     intent="report_accident"))
    assert slots["report_opening"] is None


@pytest.mark.parametrize("lang, third_party_label", [("en", "Another vehicle"), ("zh", None)])
def test_the_first_run_of_the_form_fills_what_the_first_message_said(customer, lang, third_party_label):
    slots = run_form(answering(customer, {"report_opening": SUV, "requested_slot": None}, text="no we're fine",
                               lang=lang))
    expected_time = datetime.now(TZ) - timedelta(minutes=20)
    assert abs(datetime.fromisoformat(slots["accident_time"]) - expected_time) < timedelta(minutes=2)
    assert slots["accident_location"] == slots["accident_location_label"] == "Huaihai Road"
    assert slots["accident_description"] == SUV
    assert slots["third_party"] == "other_vehicle"
    if third_party_label:
        assert slots["third_party_label"] == third_party_label
    assert slots["report_opening"] is None  # read once
    assert "drivable" not in slots and "police_report_number" not in slots and "estimate_band" not in slots
    assert not slots.get("report_error")


def test_an_answer_to_one_question_also_fills_another(customer):
    said = "yesterday at 6pm on Nanjing Road"
    tracker_ = answering(customer, {"requested_slot": "accident_time", "accident_time": said}, text=said)
    tracker_.events.append({"event": "slot", "name": "accident_time", "value": said})  # the form's from_text
    slots = run_form(tracker_)
    assert slots["accident_time"] == yesterday_at(18).isoformat()
    assert slots["accident_location"] == "Nanjing Road"
    assert "accident_description" not in slots  # an answer is not the story


def test_a_side_question_fills_nothing(customer):
    said = "what docs do i need, it was on Nanjing Road"
    side = answering(customer, {"requested_slot": "accident_time"}, text=said)
    side.latest_message["intent"] = {"name": "ask_required_documents"}
    assert "accident_location" not in run_form(side)
    answer = answering(customer, {"requested_slot": "accident_time"}, text=said)  # the positive control
    assert run_form(answer)["accident_location"] == "Nanjing Road"


def test_a_time_read_before_the_car_was_chosen_is_dropped_when_that_cars_policy_does_not_cover_it(customer):
    long_ago = datetime.combine(today() - timedelta(days=400), time(10), tzinfo=TZ).isoformat()
    result = validate("accident_vehicle", PLATE, answering(customer, {"accident_vehicle": None,
                                                                      "accident_time": long_ago}, text=PLATE))
    assert result["accident_vehicle"] == PLATE and result["accident_time"] is None
    kept = datetime.combine(today() - timedelta(days=1), time(10), tzinfo=TZ).isoformat()
    result = validate("accident_vehicle", PLATE, answering(customer, {"accident_vehicle": None, "accident_time": kept},
                                                           text=PLATE))
    assert "accident_time" not in result


def test_an_answer_naming_a_pillar_leaves_the_other_party_for_its_question(customer):
    said = "I was reversing out of my space and scraped a pillar"
    tracker_ = answering(customer, {"requested_slot": "accident_description", "accident_description": said}, text=said)
    tracker_.events.append({"event": "slot", "name": "accident_description", "value": said})
    slots = run_form(tracker_)
    assert slots["accident_description"] == said and "third_party" not in slots


def test_a_time_read_in_the_same_turn_as_the_car_is_checked_by_its_own_validation(customer):
    tracker_ = answering(customer, {"report_opening": SUV, "requested_slot": None}, text="no we're fine")
    # The form validates the car its start set, in the same run as it reads the time from the first message.
    tracker_.events.append({"event": "slot", "name": "accident_vehicle", "value": PLATE})
    slots = run_form(tracker_)
    assert slots["accident_vehicle"] == PLATE and slots["accident_time_label"]


@pytest.mark.parametrize("intent, confidence, taken", [
    ("dispute_assessment", 0.41, True), ("complain", 0.59, True), ("complain", 0.9, False),
    ("cancel", 0.3, False), ("ask_required_documents", 0.4, False),
])
def test_a_place_read_half_heartedly_as_a_complaint_is_the_answer(customer, intent, confidence, taken):
    said = "浦东世纪大道88号金茂大厦门口"
    tracker_ = answering(customer, {"requested_slot": "accident_location"}, text=said)
    tracker_.latest_message["intent"] = {"name": intent, "confidence": confidence}
    slots = run_form(tracker_)
    assert (slots.get("accident_location") == said) is taken
