"""Answers to the accident-report questions as policyholders type them, in English and Chinese."""
from dataclasses import FrozenInstanceError, dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from claims.accident_report import (
    Answer, AnswerProblem, check_address, check_description, describe_coordinates, match_vehicle,
    parse_coordinates, parse_drivable, parse_estimate_band, parse_incident_time, parse_police_report_number,
    parse_third_party,
)
from claims.enums import ThirdParty
from claims.triage import EstimateBand

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 23, 16, 0, tzinfo=TZ)  # a Monday afternoon in Shanghai


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """An aware moment in November 2026, Shanghai time."""
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def when(text: str, **kwargs) -> Answer[datetime]:
    return parse_incident_time(text, now=kwargs.pop("now", NOW), tz=TZ, **kwargs)


# ------------------------------------------------------------------------------------------ the answer


def test_answer_is_ok_only_without_a_problem():
    assert Answer(value=1).ok and Answer().ok
    assert not Answer(problem=AnswerProblem.unclear).ok
    assert not Answer(problem=AnswerProblem.need_time, known_date=date(2026, 11, 20)).ok


def test_answer_is_frozen():
    with pytest.raises(FrozenInstanceError):
        Answer(value=1).value = 2  # type: ignore[misc]


# ------------------------------------------------------------------------------------ when it happened


@pytest.mark.parametrize("typed, expected", [
    ("just now", at(23, 16)), ("now", at(23, 16)), ("right now", at(23, 16)),
    ("a few minutes ago", at(23, 15, 57)), ("10 minutes ago", at(23, 15, 50)), ("10 mins ago", at(23, 15, 50)),
    ("2 hours ago", at(23, 14)), ("an hour ago", at(23, 15)), ("half an hour ago", at(23, 15, 30)),
    ("about 2.5 hours ago", at(23, 13, 30)), ("this morning at 8", at(23, 8)), ("today 14:30", at(23, 14, 30)),
    ("today at 2:30pm", at(23, 14, 30)), ("Today at 2:30 PM.", at(23, 14, 30)), ("yesterday at 5pm", at(22, 17)),
    ("yesterday evening 8.30", at(22, 20, 30)), ("2026-11-20 08:15", at(20, 8, 15)),
    ("2026/11/20 8:15", at(20, 8, 15)), ("20/11/2026 8:15", at(20, 8, 15)), ("20.11.2026 8:15", at(20, 8, 15)),
    ("Nov 20 3pm", at(20, 15)), ("November 20th, 2026 at 3 pm", at(20, 15)), ("20 Nov at 15:00", at(20, 15)),
    ("the 20th of November at 7am", at(20, 7)), ("last night around 11", at(22, 23)),
    ("this afternoon at 3", at(23, 15)), ("yesterday at noon", at(22, 12)), ("12am today", at(23, 0)),
    ("yesterday 12pm", at(22, 12)), ("around 8 this morning", at(23, 8)), ("it was 9 o'clock today", at(23, 9)),
    ("2 days ago at 10:00", at(21, 10)), ("２０２６－１１－２０　０８：１５", at(20, 8, 15)),
    ("刚才", at(23, 16)), ("刚刚", at(23, 16)), ("就现在", at(23, 16)), ("10分钟前", at(23, 15, 50)),
    ("半小时前", at(23, 15, 30)), ("半个小时前", at(23, 15, 30)), ("两个小时前", at(23, 14)),
    ("3小时前", at(23, 13)), ("一个半小时前", at(23, 14, 30)), ("一刻钟前", at(23, 15, 45)),
    ("几分钟前", at(23, 15, 57)), ("今天下午3点", at(23, 15)), ("今天14:30", at(23, 14, 30)),
    ("今天１４：３０", at(23, 14, 30)), ("今早8点", at(23, 8)), ("昨天晚上8点半", at(22, 20, 30)),
    ("昨晚11点左右", at(22, 23)), ("前天上午10点", at(21, 10)), ("11月20日下午3点", at(20, 15)),
    ("2026年11月20日 8:15", at(20, 8, 15)), ("二零二六年十一月二十日八点十五分", at(20, 8, 15)),
    ("今天八点一刻", at(23, 8, 15)), ("今天下午三点三刻", at(23, 15, 45)), ("今天3点20分", at(23, 3, 20)),
    ("今天3点05", at(23, 3, 5)), ("今天中午12点", at(23, 12)), ("今天中午1点", at(23, 13)),
    ("今天凌晨2点", at(23, 2)), ("今天凌晨12点", at(23, 0)), ("昨天晚上十一点五十九分", at(22, 23, 59)),
    ("昨天傍晚六点", at(22, 18)), ("前天下午两点", at(21, 14)), ("11月20号上午十点", at(20, 10)),
])
def test_incident_times(typed, expected):
    answer = when(typed)
    assert answer.ok, answer
    assert answer.value == expected
    assert answer.value.tzinfo == TZ  # aware, in the business timezone
    assert answer.known_date is None


@pytest.mark.parametrize("typed, hour", [
    ("下午一点", 13), ("下午两点", 14), ("晚上十点", 22), ("晚上十一点", 23), ("上午十一点", 11), ("十二点", 12),
    ("中午十二点", 12), ("凌晨一点", 1), ("早上七点", 7), ("1pm", 13), ("11 am", 11), ("12 p.m.", 12),
    ("12 a.m.", 0), ("9 in the evening", 21), ("15:00", 15), ("0:30", 0),
])
def test_hours_of_the_day_in_either_language(typed, hour):
    answer = when(typed, known_date=date(2026, 11, 20))
    assert answer.ok, answer
    assert answer.value.date() == date(2026, 11, 20) and answer.value.hour == hour


@pytest.mark.parametrize("typed, expected", [
    ("昨晚2点", at(23, 2)), ("昨天夜里一点", at(23, 1)), ("昨晚12点", at(23, 0)), ("last night at 2am", at(23, 2)),
    ("last night at 12", at(23, 0)), ("yesterday at midnight", at(23, 0)), ("yesterday night 0:30", at(23, 0, 30)),
    ("昨晚11点", at(22, 23)), ("last night at 9", at(22, 21)), ("昨天傍晚6点", at(22, 18)), ("midnight", at(23, 0)),
])
def test_the_small_hours_after_a_named_evening_are_the_next_day(typed, expected):
    assert when(typed).value == expected


def test_relative_times_are_counted_to_the_minute():
    answer = when("10 minutes ago", now=datetime(2026, 11, 23, 16, 0, 42, 123, tzinfo=TZ))
    assert answer.value == at(23, 15, 50)


def test_now_in_another_timezone_is_read_in_the_business_timezone():
    # 20:00 UTC on the 22nd is already 04:00 on the 23rd in Shanghai: "yesterday" is the 22nd there
    utc_evening = datetime(2026, 11, 22, 20, 0, tzinfo=timezone.utc)
    assert when("yesterday at 5pm", now=utc_evening).value == at(22, 17)
    assert when("just now", now=utc_evening).value == at(23, 4)
    assert when("today", now=utc_evening).known_date == date(2026, 11, 23)


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        parse_incident_time("just now", now=datetime(2026, 11, 23, 16, 0), tz=TZ)


@pytest.mark.parametrize("typed, day", [
    ("today", date(2026, 11, 23)), ("Today.", date(2026, 11, 23)), ("yesterday", date(2026, 11, 22)),
    ("the day before yesterday", date(2026, 11, 21)), ("11月20日", date(2026, 11, 20)),
    ("2026-11-20", date(2026, 11, 20)), ("20/11/2026", date(2026, 11, 20)), ("Nov 20", date(2026, 11, 20)),
    ("3 days ago", date(2026, 11, 20)), ("前天", date(2026, 11, 21)), ("昨天", date(2026, 11, 22)),
    ("今天", date(2026, 11, 23)), ("昨天晚上", date(2026, 11, 22)), ("2天前", date(2026, 11, 21)),
    ("2026年11月20日", date(2026, 11, 20)),
])
def test_a_date_without_a_time_asks_for_the_time(typed, day):
    answer = when(typed)
    assert answer.problem is AnswerProblem.need_time
    assert answer.value is None
    assert answer.known_date == day


@pytest.mark.parametrize("typed, expected", [
    ("3pm", at(20, 15)), ("15:00", at(20, 15)), ("下午三点", at(20, 15)), ("around 8 in the evening", at(20, 20)),
    ("at 7", at(20, 7)), ("8", at(20, 8)), ("晚上8点半", at(20, 20, 30)), ("noon", at(20, 12)),
    ("yesterday at 5pm", at(22, 17)), ("今天下午3点", at(23, 15)),  # the text's own date wins
])
def test_a_time_is_combined_with_the_date_already_given(typed, expected):
    answer = when(typed, known_date=date(2026, 11, 20))
    assert answer.ok, answer
    assert answer.value == expected


def test_a_date_without_its_year_is_the_nearer_one():
    new_year = datetime(2027, 1, 2, 9, 0, tzinfo=TZ)
    assert when("December 30", now=new_year).known_date == date(2026, 12, 30)
    assert when("12月30日晚上8点", now=new_year).value == at(30, 20, month=12)
    assert when("Feb 29", now=new_year).problem is AnswerProblem.unclear  # neither 2026 nor 2027 has one
    assert when("December 30").problem is AnswerProblem.in_future  # on 23 November: this year's, ahead


def test_a_time_alone_without_a_known_date_is_today():
    assert when("3pm").value == at(23, 15)
    assert when("下午三点").value == at(23, 15)


@pytest.mark.parametrize("typed", [
    "today 16:06", "today at 11pm", "tonight at 9", "今晚2点", "tomorrow", "tomorrow at 9", "明天下午3点", "明天",
    "2026-11-24",
    "2026-11-24 09:00", "11月25日", "Nov 25", "2027-01-01 10:00", "in the future: 2030/01/01 08:00",
])
def test_the_future_is_refused(typed):
    answer = when(typed)
    assert answer.problem is AnswerProblem.in_future
    assert answer.value is None and answer.known_date is None


def test_a_few_minutes_ahead_of_now_is_tolerated():
    assert when("today 16:05").value == at(23, 16, 5)
    assert when("today 16:06").problem is AnswerProblem.in_future
    assert when("16:10", known_date=date(2026, 11, 24)).problem is AnswerProblem.in_future


@pytest.mark.parametrize("typed, problem", [
    ("2026-11-20 08:15", AnswerProblem.before_policy), ("11月20日", AnswerProblem.before_policy),
    ("3 days ago", AnswerProblem.before_policy), ("72 hours ago", AnswerProblem.before_policy),
    ("2026-11-21 00:00", None), ("yesterday at 11pm", None), ("yesterday", AnswerProblem.need_time),
    ("today 10:00", AnswerProblem.after_policy), ("today", AnswerProblem.after_policy),
    ("刚才", AnswerProblem.after_policy), ("2026-11-22 23:59", None),
])
def test_dates_outside_the_policy_period(typed, problem):
    answer = when(typed, policy_start=date(2026, 11, 21), policy_end=date(2026, 11, 22))
    assert answer.problem is problem
    assert (answer.value is not None) == (problem is None)


@pytest.mark.parametrize("typed", [
    "", "   ", "hello", "asap", "don't remember", "😀", "🚗💥", "???", "25:00", "today 14:75", "24:00",
    "2026-02-30 10:00", "2026-13-01", "32/11/2026 8:15", "February 30", "10 bananas ago",
    "1000000000 hours ago", "99999999999999999999 minutes ago", "a" * 5000, "不知道", "忘了",
    "today " + "x" * 300,
])
def test_nonsense_times_are_unclear(typed):
    answer = when(typed)
    assert answer.problem is AnswerProblem.unclear
    assert answer.value is None and answer.known_date is None


# ------------------------------------------------------------------------------ who else was involved


@pytest.mark.parametrize("typed, expected", [
    *((value.value, value) for value in ThirdParty),  # button payloads
    *((typed, ThirdParty.none) for typed in (
        "no", "No.", "nope", "nobody", "no one else", "just me", "only my car", "single vehicle",
        "single-vehicle accident", "no other car", "没有", "没有第三方", "单方", "单方事故", "就我自己", "只有我的车",
        "没有人", "无")),
    *((typed, ThirdParty.other_vehicle) for typed in (
        "another car", "the other car", "a taxi", "a truck", "two cars", "a van hit me", "the other driver",
        "someone's parked car", "对方车辆", "别的车", "撞了别人的车", "两车", "三者车", "被出租车追尾", "一辆货车")),
    *((typed, ThirdParty.property) for typed in (
        "no, a wall", "a wall", "a fence", "guardrail", "a guard rail", "a pole", "someone's gate",
        "my car hit a wall",
        "a lamp post", "护栏", "墙", "电线杆", "别人的东西", "财产", "撞到树了", "小区的栏杆")),
    *((typed, ThirdParty.pedestrian) for typed in (
        "a pedestrian", "a person", "a cyclist", "a scooter rider", "a child", "Pedestrian!",
        "行人", "骑电动车的", "人", "撞到人了", "一个骑自行车的", "路人")),
])
def test_third_party(typed, expected):
    answer = parse_third_party(typed)
    assert answer.ok, answer
    assert answer.value is expected


@pytest.mark.parametrize("typed", [
    "", "maybe", "banana", "🚗💥", "yes", "no idea", "not sure", "a car and a pedestrian", "墙和行人", "不知道",
    "x" * 500, "other",
])
def test_third_party_unclear(typed):
    assert parse_third_party(typed) == Answer(problem=AnswerProblem.unclear)


# -------------------------------------------------------------------------------------- can it be driven


@pytest.mark.parametrize("typed", [
    "yes", "Yes!", "yeah", "yep", "it drives", "I can drive it", "drivable", "still driving", "true", "ok",
    "no problem", "I drove it to town", "是", "能", "能开", "可以开", "还能开", "没问题", "可以", "ＹＥＳ",
])
def test_drivable(typed):
    assert parse_drivable(typed) == Answer(value=True)


@pytest.mark.parametrize("typed", [
    "no", "nope", "No.", "can't", "I can't drive it", "it won't start", "needs towing", "need a tow truck",
    "not drivable", "false", "不能", "开不了", "不能开", "动不了", "需要拖车", "不行", "不可以开",
])
def test_not_drivable(typed):
    assert parse_drivable(typed) == Answer(value=False)


@pytest.mark.parametrize("typed", ["", "maybe", "not sure", "I don't know", "不知道", "🤷", "banana", "x" * 1000])
def test_drivable_unclear(typed):
    assert parse_drivable(typed).problem is AnswerProblem.unclear


# ------------------------------------------------------------------------------------- repair estimate


@pytest.mark.parametrize("typed, expected", [
    *((band.value, band) for band in EstimateBand),  # button payloads
    *((typed, EstimateBand.unknown) for typed in (
        "don't know", "I don't know", "not sure", "no idea", "不知道", "不清楚", "说不好")),
    ("about 3000", EstimateBand.from_2000_to_5000), ("3k", EstimateBand.from_2000_to_5000),
    ("3K", EstimateBand.from_2000_to_5000), ("3,000 yuan", EstimateBand.from_2000_to_5000),
    ("¥4500", EstimateBand.from_2000_to_5000), ("4500元", EstimateBand.from_2000_to_5000),
    ("RMB 800", EstimateBand.under_2000), ("三千", EstimateBand.from_2000_to_5000),
    ("3千", EstimateBand.from_2000_to_5000), ("两万", EstimateBand.from_5000_to_20000),
    ("1.5万", EstimateBand.from_5000_to_20000), ("一万五", EstimateBand.from_5000_to_20000),
    ("五千左右", EstimateBand.from_2000_to_5000), ("大概两千五", EstimateBand.from_2000_to_5000),
    ("１２０００元", EstimateBand.from_5000_to_20000), ("1,250,000", EstimateBand.over_20000),
    ("under 2000", EstimateBand.under_2000), ("less than 2k", EstimateBand.under_2000),
    ("2000以下", EstimateBand.under_2000), ("两千以内", EstimateBand.under_2000),
    ("2000-5000", EstimateBand.from_2000_to_5000), ("2到5千", EstimateBand.from_2000_to_5000),
    ("5000 to 20000", EstimateBand.from_5000_to_20000), ("around 3000-4000 yuan", EstimateBand.from_2000_to_5000),
    ("2k to 5k", EstimateBand.from_2000_to_5000), ("20,000", EstimateBand.from_5000_to_20000),
    ("over 20000", EstimateBand.over_20000),
    ("more than 20k", EstimateBand.over_20000), ("两万以上", EstimateBand.over_20000),
    ("no more than 5000", EstimateBand.from_2000_to_5000), ("不超过五千", EstimateBand.from_2000_to_5000),
    ("over 2000", EstimateBand.from_2000_to_5000),  # over a bound is the band above it
    ("2000", EstimateBand.under_2000), ("2000.01", EstimateBand.from_2000_to_5000),  # a bound is the lower band
    ("20000", EstimateBand.from_5000_to_20000), ("20001", EstimateBand.over_20000),
])
def test_estimate_band(typed, expected):
    answer = parse_estimate_band(typed)
    assert answer.ok, answer
    assert answer.value is expected


@pytest.mark.parametrize("typed", [
    "", "0", "0元", "zero 0", "-500", "¥-500", "负500", "banana", "a lot", "😀", "5000-2000", "x" * 200,
    "5k-2k",
])
def test_estimate_unclear(typed):
    assert parse_estimate_band(typed) == Answer(problem=AnswerProblem.unclear)


# --------------------------------------------------------------------------------- police report number


@pytest.mark.parametrize("typed", [
    "none", "None", "no", "skip", "Skip.", "don't have one", "I don't have one", "not yet", "n/a",
    "没有", "无", "跳过", "还没有",
])
def test_no_police_report_is_a_valid_answer(typed):
    answer = parse_police_report_number(typed)
    assert answer.ok
    assert answer.value is None


@pytest.mark.parametrize("typed, expected", [
    ("SH2026-112233", "SH2026-112233"), ("sh2026-112233", "SH2026-112233"), ("sh 2026 112233", "SH2026112233"),
    ("ＳＨ２０２６－１１２２３３", "SH2026-112233"), ("2026/0001234", "2026/0001234"), ("A1234B", "A1234B"),
    ("沪公交认字[2026]第00123号", "沪公交认字[2026]第00123号"), ("沪公交认字［2026］第00123号", "沪公交认字[2026]第00123号"),
    (" 沪公交认字 [2026] 第00123号 ", "沪公交认字[2026]第00123号"),
])
def test_police_report_numbers(typed, expected):
    assert parse_police_report_number(typed) == Answer(value=expected)


@pytest.mark.parametrize("typed", [
    "", "hello", "123", "12345", "ABC", "ABCDEF1", "call me at 12", "😀", "报案号", "我不知道", "第123号",
    "!!!!!!!!",
])
def test_police_report_unclear(typed):
    assert parse_police_report_number(typed) == Answer(problem=AnswerProblem.unclear)


@pytest.mark.parametrize("typed", ["A1" * 16, "沪公交认字[2026]第00123号" + "补" * 30])
def test_police_report_too_long(typed):
    assert parse_police_report_number(typed) == Answer(problem=AnswerProblem.too_long)


def test_police_report_length_limits():
    assert parse_police_report_number("A1" * 15).value == "A1" * 15  # 30 characters
    chinese = "沪公交认字[2026]第00123号"
    assert parse_police_report_number(chinese + "补" * (40 - len(chinese))).ok


# ------------------------------------------------------------------------------ description and address


@pytest.mark.parametrize("typed, cleaned", [
    ("Reversed into a pillar", "Reversed into a pillar"), ("倒车撞到柱子", "倒车撞到柱子"),
    ("  Reversed \n into   a\tpillar  ", "Reversed into a pillar"), ("撞到了 the garage wall", "撞到了 the garage wall"),
    ("Ｒｅｖｅｒｓｅｄ ｉｎｔｏ ａ ｐｉｌｌａｒ", "Reversed into a pillar"), ("被后车追尾了", "被后车追尾了"),
])
def test_description(typed, cleaned):
    assert check_description(typed) == Answer(value=cleaned)


@pytest.mark.parametrize("typed", [
    "crash", "ok", "a b c", "撞了", "hit it", "被撞了", "I crashed", "撞 it", "撞到了 a wall",
])
def test_description_too_short(typed):
    assert check_description(typed) == Answer(problem=AnswerProblem.too_short)


@pytest.mark.parametrize("typed", [
    "", "   ", "aaaaaaaa", "AaAaAaaa", "哈哈哈哈哈哈", "😀😀😀", "😭", "12345", "!!!", "?", "2026-11-20 08:15",
])
def test_description_nonsense(typed):
    assert check_description(typed) == Answer(problem=AnswerProblem.unclear)


def test_description_length_limit():
    words = "Reversed into a pillar " * 100
    assert check_description(words[:2000]).ok
    assert check_description(words[:2001] + "x").problem is AnswerProblem.too_long


@pytest.mark.parametrize("typed, cleaned", [
    ("人民广场", "人民广场"), ("Nanjing Road", "Nanjing Road"), ("  123   Main St ", "123 Main St"),
    ("上海市黄浦区南京东路100号", "上海市黄浦区南京东路100号"), ("Ｎａｎｊｉｎｇ Ｒｄ", "Nanjing Rd"), ("G60 高速", "G60 高速"),
])
def test_address(typed, cleaned):
    assert check_address(typed) == Answer(value=cleaned)


@pytest.mark.parametrize("typed", ["外滩", "A1", "abc", "家"])
def test_address_too_short(typed):
    assert check_address(typed) == Answer(problem=AnswerProblem.too_short)


@pytest.mark.parametrize("typed", [
    "", "idk", "IDK", "don't know", "I don't know", "不知道", "12345", "😀", "...", "!!!!",
])
def test_address_unclear(typed):
    assert check_address(typed) == Answer(problem=AnswerProblem.unclear)


def test_address_length_limit():
    assert check_address("路" * 300).ok
    assert check_address("路" * 301).problem is AnswerProblem.too_long


# -------------------------------------------------------------------------------------------- location


@pytest.mark.parametrize("latitude, longitude, text", [
    (31.2304, 121.4737, "31.23040, 121.47370"), (-33.8688, 151.2093, "-33.86880, 151.20930"),
    (0.0, -0.123456, "0.00000, -0.12346"), (90, 180, "90.00000, 180.00000"),
])
def test_coordinates_round_trip(latitude, longitude, text):
    assert describe_coordinates(latitude, longitude) == text
    assert parse_coordinates(text) == (round(latitude, 5), round(longitude, 5))


@pytest.mark.parametrize("text, expected", [
    ("31.2304,121.4737", (31.2304, 121.4737)), ("31.2304 121.4737", (31.2304, 121.4737)),
    ("31.2304，121.4737", (31.2304, 121.4737)), ("-90, -180", (-90.0, -180.0)),
])
def test_coordinates_as_typed(text, expected):
    assert parse_coordinates(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "91, 0", "0, 181", "-90.1, 0", "31.2,", "1, 2, 3", "nan, nan",
                                  "inf, 0", "31.2304 N, 121.4737 E"])
def test_coordinates_refused(text):
    assert parse_coordinates(text) is None


# ------------------------------------------------------------------------------------------ which car


@dataclass
class Car:
    id: int
    plate_number: str
    make: str
    model: str


GARAGE = [Car(7, "沪A6K215", "Tesla", "Model 3"), Car(9, "沪B12345", "BYD", "Han"), Car(11, "粤BD12345", "比亚迪", "秦")]


@pytest.mark.parametrize("typed, vehicle_id", [
    ("沪A6K215", 7), ("沪a6k215", 7), ("沪A 6K215", 7), ("沪A·6K215", 7), ("沪A-6K215", 7), ("沪Ａ６Ｋ２１５", 7),
    ("it's 沪A6K215 please", 7), ("粤BD12345", 11), ("粤bd 12345", 11), ("the one ending 215", 7), ("K215", 7),
    ("6k215", 7), ("尾号215", 7), ("D12345", 11), ("1", 7), ("2", 9), ("3", 11), ("#2", 9), ("first", 7),
    ("the second one", 9), ("third", 11), ("last", 11), ("2nd", 9), ("第一辆", 7), ("第二个", 9), ("第3辆", 11),
    ("the tesla", 7), ("my BYD", 9), ("Model 3", 7), ("比亚迪", 11), ("我的秦", 11), ("the Han", 9),
])
def test_match_vehicle(typed, vehicle_id):
    assert match_vehicle(typed, GARAGE) == Answer(value=vehicle_id)


@pytest.mark.parametrize("typed", [
    "", "banana", "4", "0", "第五辆", "沪C99999", "京A12345",  # well-formed plates, not theirs
    "12345",  # the end of two plates
    "the blue one", "a honda", "15", "😀",
])
def test_match_vehicle_unknown(typed):
    assert match_vehicle(typed, GARAGE) == Answer(problem=AnswerProblem.unknown_vehicle)


def test_match_vehicle_needs_a_unique_make_or_model():
    teslas = [Car(1, "沪A11111", "Tesla", "Model 3"), Car(2, "沪A22222", "Tesla", "Model Y")]
    assert match_vehicle("the tesla", teslas).problem is AnswerProblem.unknown_vehicle
    assert match_vehicle("the tesla model y", teslas).value == 2
    assert match_vehicle("Model 3", teslas).value == 1


def test_match_vehicle_without_vehicles():
    assert match_vehicle("1", []).problem is AnswerProblem.unknown_vehicle
    assert match_vehicle("沪A6K215", []).problem is AnswerProblem.unknown_vehicle


def test_match_vehicle_with_a_stored_plate_not_normalised():
    assert match_vehicle("沪A6K215", [Car(5, "沪a 6k215", "Tesla", "Model 3")]).value == 5
