"""What a report's first message or an answer already says about the report's other fields."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from claims.accident_report import (
    Answer, parse_incident_time, parse_police_report_number, said_description, said_drivable, said_incident_time,
    said_injuries, said_place, said_third_party,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 16, 0, tzinfo=TZ)
SUV_EN = "a white SUV rear-ended me at the lights on Huaihai Road twenty minutes ago"
SUV_ZH = "二十分钟前在淮海路红绿灯一辆白色SUV追尾了我"


@pytest.mark.parametrize("message", [SUV_EN, SUV_ZH])
def test_the_issue_example_gives_time_place_other_party_and_what_happened(message):
    assert parse_incident_time(said_incident_time(message, now=NOW, tz=TZ), now=NOW, tz=TZ).value == \
        NOW - timedelta(minutes=20)
    assert said_place(message) in {"Huaihai Road", "淮海路红绿灯"}
    assert said_third_party(message) == "other_vehicle"
    assert said_description(message) == message


@pytest.mark.parametrize("words, minutes", [
    ("twenty minutes ago", 20), ("forty-five minutes ago", 45), ("about five minutes ago", 5),
    ("one hour ago", 60), ("thirty five mins ago", 35),
])
def test_spelled_out_numbers_in_english(words, minutes):
    assert parse_incident_time(words, now=NOW, tz=TZ).value == NOW - timedelta(minutes=minutes)


def test_someone_just_hit_me_is_just_now():
    said = said_incident_time("someone just rear-ended me at a red light", now=NOW, tz=TZ)
    assert parse_incident_time(said, now=NOW, tz=TZ).value == NOW


@pytest.mark.parametrize("message", ["I had an accident", "我要报案", "report an accident please", "出车祸了"])
def test_a_bare_report_fills_nothing(message):
    assert said_incident_time(message, now=NOW, tz=TZ) is None
    assert (said_place(message), said_description(message), said_third_party(message), said_drivable(message)) == \
        (None, None, None, None)


@pytest.mark.parametrize("message, kind", [
    ("someone just rear-ended me", "other_vehicle"), ("a taxi scraped my door", "other_vehicle"),
    ("我倒车撞到了墙", "property"), ("hit a guardrail on the G60, nobody hurt", "property"),
    ("被追尾了 人没事", "other_vehicle"),
])
def test_the_other_party_named_in_a_sentence(message, kind):
    assert said_third_party(message) == kind


@pytest.mark.parametrize("message", [
    "nobody is hurt", "没人受伤", "a kid on a bike fell against my car", "my car and a taxi hit a wall",
])
def test_pedestrians_and_mixed_or_absent_parties_are_left_for_the_question(message):
    assert said_third_party(message) is None


@pytest.mark.parametrize("message, drivable", [
    ("got rear-ended, the car won't start", "no"), ("被追尾了 车开不了了", "no"), ("hit a pole, still drives fine", "yes"),
    ("I can't believe someone hit me", None), ("刮了一下", None),
])
def test_drivable_only_when_said_plainly(message, drivable):
    assert said_drivable(message) == drivable


@pytest.mark.parametrize("message, place", [
    ("scraped a pillar at Jing'an Kerry Centre", "Jing'an Kerry Centre"), ("在延安高架被追尾了", "延安高架"),
    ("rear-ended at a red light", None), ("在家门口", None),
])
def test_the_place_named_in_a_sentence(message, place):
    assert said_place(message) == place


@pytest.mark.parametrize("typed", [
    "not yet, police are coming", "Not yet. Police are on their way", "no report yet", "还没有，交警还在路上",
    "还没报警", "nope not yet", "没有 警察还没到",
])
def test_no_police_report_yet_said_naturally(typed):
    assert parse_police_report_number(typed) == Answer()


def test_a_number_still_wins_over_the_words():
    assert parse_police_report_number("SH2026-118834").value == "SH2026-118834"


@pytest.mark.parametrize("message", ["I just had an accident", "我刚出了个事故", "刚才出车祸了", "just had a crash"])
def test_just_having_had_an_accident_does_not_say_when(message):
    assert said_incident_time(message, now=NOW, tz=TZ) is None


@pytest.mark.parametrize("message", ["刚在延安高架被追尾了", "刚刚被一辆出租车刮了", "someone just hit my car"])
def test_a_collision_told_as_it_happens_is_now(message):
    assert said_incident_time(message, now=NOW, tz=TZ) == "just now"


@pytest.mark.parametrize("message", [
    "no we are fine", "a white SUV rear-ended me, no one's hurt", "we\u2019re all ok but the car is wrecked",
    "got hit at the lights, nobody injured", "no injuries just a dent", "everyone is safe",
    "被追尾了 人没事", "撞了 没人受伤", "人都没事 车撞坏了", "没有伤亡 就是车头坏了", "我们都挺好的",
])
def test_a_first_message_that_says_nobody_is_hurt(message):
    assert said_injuries(message) is False


@pytest.mark.parametrize("message", [
    "my wife is injured", "we need an ambulance", "crashed on the ring road my neck hurts",
    "I'm not hurt but my passenger is bleeding", "我老婆受伤了 流血了", "我没事 对方司机流血了", "已经打120了",
])
def test_a_first_message_that_says_someone_is_hurt_even_beside_someone_fine(message):
    assert said_injuries(message) is True


@pytest.mark.parametrize("message", [
    "someone rear-ended me at a red light", "i had an accident", "刚在延安高架被追尾了", "车没事吧",
    "the other driver seems fine",  # about someone else's mood, not injuries: asked
    "",
])
def test_a_first_message_silent_about_injuries_leaves_the_question(message):
    assert said_injuries(message) is None
