"""The reminders' pure rules on a controllable clock: the missing-documents cadence and when it stops, quiet
hours in business time (whatever zone the instant is given in), the daily window, the days before a date,
birthdays on 29 February, and reading the operator's settings."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from claims.enums import ReminderKind
from claims.quiet_hours import QuietHours
from claims.reminders.rules import (
    ReminderRules, birthday_in, daily_window_open, days_ahead, document_reminder_due, document_reminder_due_at,
    is_birthday, local_date, may_send, parse_days, parse_kinds,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
RULES = ReminderRules(timezone=SHANGHAI, quiet_hours=QuietHours(time(21, 0), time(9, 0), SHANGHAI))
EVERY_KIND = frozenset({ReminderKind.documents, ReminderKind.renewal, ReminderKind.inspection,
                        ReminderKind.maintenance, ReminderKind.birthday})


def shanghai(day: int, hour: int, minute: int = 0, second: int = 0, *, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=SHANGHAI)


# A request for documents at 11:00 on 1 December, business time.
REQUESTED = shanghai(1, 11)
ONE_SECOND = timedelta(seconds=1)


def due(already_sent: int, now: datetime, *, missing: int = 3, claim_open: bool = True,
        rules: ReminderRules = RULES) -> bool:
    return document_reminder_due(REQUESTED, already_sent, missing=missing, claim_open=claim_open, now=now,
                                 rules=rules)


# ------------------------------------------------------------------------------ missing documents

def test_the_first_documents_reminder_is_due_two_days_after_the_request_then_every_three_days():
    assert document_reminder_due_at(REQUESTED, 0, RULES) == shanghai(3, 11)
    assert document_reminder_due_at(REQUESTED, 1, RULES) == shanghai(6, 11)
    assert document_reminder_due_at(REQUESTED, 2, RULES) == shanghai(9, 11)


def test_a_request_made_long_ago_gets_its_reminders_three_days_apart_not_in_a_burst():
    first_sent = shanghai(20, 11)  # the reminders were off until the 20th, or the rule is new
    assert document_reminder_due_at(REQUESTED, 1, RULES, last_sent_at=first_sent) == shanghai(23, 11)
    assert not document_reminder_due(REQUESTED, 1, missing=3, claim_open=True, now=shanghai(20, 11, 5), rules=RULES,
                                     last_sent_at=first_sent)
    assert document_reminder_due(REQUESTED, 1, missing=3, claim_open=True, now=shanghai(23, 11), rules=RULES,
                                 last_sent_at=first_sent)
    # on the grid, the last one does not push the next later
    assert document_reminder_due_at(REQUESTED, 1, RULES, last_sent_at=shanghai(3, 11)) == shanghai(6, 11)


def test_no_documents_reminder_is_due_after_the_third():
    assert document_reminder_due_at(REQUESTED, 3, RULES) is None
    assert document_reminder_due_at(REQUESTED, 4, RULES) is None
    assert not due(3, shanghai(30, 11))


@pytest.mark.parametrize("already_sent, due_at", [(0, shanghai(3, 11)), (1, shanghai(6, 11)), (2, shanghai(9, 11))])
def test_a_documents_reminder_is_not_due_one_second_early_and_is_due_on_the_dot(already_sent, due_at):
    assert not due(already_sent, due_at - ONE_SECOND)
    assert due(already_sent, due_at)
    assert due(already_sent, due_at + timedelta(hours=3))  # still due later (e.g. the planner was down)


def test_the_due_time_is_the_same_instant_given_in_utc_or_new_york():
    at_utc = datetime(2026, 12, 3, 3, 0, tzinfo=timezone.utc)  # 11:00 in Shanghai
    at_new_york = datetime(2026, 12, 2, 22, 0, tzinfo=NEW_YORK)  # the same instant
    assert not due(0, at_utc - ONE_SECOND) and due(0, at_utc) and due(0, at_new_york)
    assert not due(0, at_new_york - ONE_SECOND)


def test_nothing_is_due_once_nothing_is_missing():
    assert not due(0, shanghai(3, 11), missing=0)
    assert due(0, shanghai(3, 11), missing=1)


def test_nothing_is_due_for_a_closed_claim():
    assert not due(0, shanghai(3, 11), claim_open=False)


def test_nothing_is_due_when_the_operator_switched_documents_reminders_off():
    others = ReminderRules(timezone=SHANGHAI, quiet_hours=RULES.quiet_hours,
                           enabled=frozenset({ReminderKind.renewal, ReminderKind.birthday}))
    assert not due(0, shanghai(3, 11), rules=others)
    nothing = ReminderRules(timezone=SHANGHAI, quiet_hours=RULES.quiet_hours, enabled=frozenset())
    assert not due(0, shanghai(3, 11), rules=nothing)


def test_a_documents_reminder_due_in_the_quiet_hours_waits_for_their_end():
    late_request = shanghai(1, 22)  # due at 22:00 on the 3rd: quiet
    kwargs = dict(missing=2, claim_open=True, rules=RULES)
    assert document_reminder_due_at(late_request, 0, RULES) == shanghai(3, 22)
    assert not document_reminder_due(late_request, 0, now=shanghai(3, 22), **kwargs)
    assert not document_reminder_due(late_request, 0, now=shanghai(4, 8, 59, 59), **kwargs)
    assert document_reminder_due(late_request, 0, now=shanghai(4, 9), **kwargs)


def test_a_naive_request_time_is_refused():
    with pytest.raises(ValueError):
        document_reminder_due_at(datetime(2026, 12, 1, 11, 0), 0, RULES)


# ------------------------------------------------------------------------------------ quiet hours

@pytest.mark.parametrize("moment, quiet", [
    (shanghai(3, 20, 59, 59), False), (shanghai(3, 21), True), (shanghai(3, 23, 30), True),
    (shanghai(4, 0, 0), True), (shanghai(4, 0, 5), True), (shanghai(4, 8, 59, 59), True), (shanghai(4, 9), False),
    (shanghai(4, 14), False),
])
def test_quiet_hours_from_21_to_9_cross_midnight_in_shanghai(moment, quiet):
    assert RULES.quiet_hours.contains(moment) is quiet
    assert may_send(moment, RULES) is not quiet


@pytest.mark.parametrize("moment, quiet", [
    # 22:00 in Shanghai is 14:00 UTC and 09:00 in New York (EST, UTC-5) on the same day
    (datetime(2026, 12, 3, 14, 0, tzinfo=timezone.utc), True),
    (datetime(2026, 12, 3, 9, 0, tzinfo=NEW_YORK), True),
    # 09:00 in Shanghai on the 4th is 01:00 UTC, and 20:00 on the 3rd in New York
    (datetime(2026, 12, 4, 0, 59, 59, tzinfo=timezone.utc), True),
    (datetime(2026, 12, 4, 1, 0, tzinfo=timezone.utc), False),
    (datetime(2026, 12, 3, 20, 0, tzinfo=NEW_YORK), False),
    # 13:00 UTC is 21:00 in Shanghai: the quiet hours start, although it is midday in UTC
    (datetime(2026, 12, 3, 12, 59, 59, tzinfo=timezone.utc), False),
    (datetime(2026, 12, 3, 13, 0, tzinfo=timezone.utc), True),
])
def test_quiet_hours_are_business_time_whatever_zone_the_instant_is_given_in(moment, quiet):
    assert RULES.quiet_hours.contains(moment) is quiet


def test_quiet_hours_within_one_day_and_none():
    lunch = QuietHours(time(12, 0), time(13, 30), SHANGHAI)
    assert lunch.contains(shanghai(3, 12)) and lunch.contains(shanghai(3, 13, 29, 59))
    assert not lunch.contains(shanghai(3, 13, 30)) and not lunch.contains(shanghai(3, 11, 59, 59))
    assert not lunch.contains(shanghai(3, 23))
    none = QuietHours.parse("", SHANGHAI)
    assert not none.contains(shanghai(3, 23)) and not none.contains(shanghai(4, 3))


def test_quiet_hours_without_a_timezone_use_the_instants_own():
    own = QuietHours(time(21, 0), time(9, 0))
    assert own.contains(datetime(2026, 12, 3, 22, 0, tzinfo=timezone.utc))
    assert not own.contains(datetime(2026, 12, 3, 22, 0, tzinfo=SHANGHAI) - timedelta(hours=12))  # 10:00 Shanghai


def test_quiet_hours_are_parsed_from_the_setting():
    assert QuietHours.parse("21:00-09:00", SHANGHAI) == QuietHours(time(21, 0), time(9, 0), SHANGHAI)
    assert QuietHours.parse(" 22:30 - 07:15 ", None) == QuietHours(time(22, 30), time(7, 15), None)
    with pytest.raises(ValueError):
        QuietHours.parse("after dinner", SHANGHAI)


def test_next_allowed_is_the_end_of_the_quiet_hours_or_the_moment_itself():
    quiet = RULES.quiet_hours
    assert quiet.next_allowed(shanghai(3, 22, 15)) == shanghai(4, 9)  # before midnight: the next morning
    assert quiet.next_allowed(shanghai(3, 21)) == shanghai(4, 9)
    assert quiet.next_allowed(shanghai(4, 2)) == shanghai(4, 9)  # after midnight: the same morning
    assert quiet.next_allowed(shanghai(4, 8, 59, 59)) == shanghai(4, 9)
    assert quiet.next_allowed(shanghai(4, 9)) == shanghai(4, 9)
    assert quiet.next_allowed(shanghai(4, 14, 20)) == shanghai(4, 14, 20)


def test_next_allowed_keeps_the_zone_the_instant_was_given_in():
    in_utc = datetime(2026, 12, 3, 14, 15, tzinfo=timezone.utc)  # 22:15 in Shanghai
    allowed = RULES.quiet_hours.next_allowed(in_utc)
    assert allowed == datetime(2026, 12, 4, 1, 0, tzinfo=timezone.utc) and allowed.utcoffset() == timedelta(0)
    in_new_york = datetime(2026, 12, 3, 9, 15, tzinfo=NEW_YORK)  # the same instant
    allowed = RULES.quiet_hours.next_allowed(in_new_york)
    assert allowed == datetime(2026, 12, 3, 20, 0, tzinfo=NEW_YORK) and allowed.utcoffset() == timedelta(hours=-5)


def test_next_allowed_of_quiet_hours_within_a_day():
    lunch = QuietHours(time(12, 0), time(13, 30), SHANGHAI)
    assert lunch.next_allowed(shanghai(3, 12, 45)) == shanghai(3, 13, 30)


def test_next_allowed_is_outside_the_quiet_hours_when_they_end_on_a_second():
    quiet = QuietHours.parse("21:00-09:00:30", SHANGHAI)
    allowed = quiet.next_allowed(shanghai(3, 22))
    assert not quiet.contains(allowed)
    assert allowed == shanghai(4, 9, 0, 30)


def test_quiet_hours_refuse_naive_times():
    with pytest.raises(ValueError):
        RULES.quiet_hours.contains(datetime(2026, 12, 3, 22, 0))


# ------------------------------------------------------------------------------ the daily window

@pytest.mark.parametrize("moment, open_", [
    (shanghai(1, 9, 0), False),  # outside the quiet hours but before the send time
    (shanghai(1, 9, 59, 59), False),
    (shanghai(1, 10, 0), True),
    (shanghai(1, 15, 30), True),
    (shanghai(1, 20, 59, 59), True),
    (shanghai(1, 21, 0), False),  # quiet hours
    (shanghai(1, 23, 30), False),
    (datetime(2026, 12, 1, 1, 59, 59, tzinfo=timezone.utc), False),  # 09:59:59 in Shanghai
    (datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc), True),  # 10:00 in Shanghai
    (datetime(2026, 11, 30, 21, 0, tzinfo=NEW_YORK), True),  # 10:00 on 1 December in Shanghai
])
def test_the_daily_window_opens_at_ten_business_time_and_closes_with_the_quiet_hours(moment, open_):
    assert daily_window_open(moment, RULES) is open_


def test_the_daily_window_follows_the_send_time_setting():
    eight = ReminderRules(timezone=SHANGHAI, quiet_hours=QuietHours(time(0, 0), time(0, 0), SHANGHAI),
                          send_time=time(8, 0))
    assert not daily_window_open(shanghai(1, 7, 59), eight)
    assert daily_window_open(shanghai(1, 8, 0), eight)
    assert daily_window_open(shanghai(1, 23, 30), eight)  # no quiet hours


def test_the_local_date_is_the_business_date():
    assert local_date(datetime(2026, 11, 30, 16, 30, tzinfo=timezone.utc), RULES) == date(2026, 12, 1)
    assert local_date(datetime(2026, 11, 30, 15, 59, tzinfo=timezone.utc), RULES) == date(2026, 11, 30)
    assert local_date(datetime(2026, 11, 30, 11, 30, tzinfo=NEW_YORK), RULES) == date(2026, 12, 1)
    with pytest.raises(ValueError):
        local_date(datetime(2026, 12, 1, 12, 0), RULES)


# ----------------------------------------------------------------------------------- dated ones

@pytest.mark.parametrize("today, expected", [
    (date(2026, 12, 1), 30), (date(2026, 12, 24), 7), (date(2026, 12, 30), 1),
    (date(2026, 11, 30), None), (date(2026, 12, 2), None), (date(2026, 12, 23), None), (date(2026, 12, 25), None),
    (date(2026, 12, 29), None), (date(2026, 12, 31), None), (date(2027, 1, 1), None),
])
def test_days_ahead_only_on_the_reminder_days(today, expected):
    assert days_ahead(date(2026, 12, 31), today, (30, 7, 1)) == expected


def test_days_ahead_across_a_year_end_and_on_the_day_itself():
    assert days_ahead(date(2027, 1, 6), date(2026, 12, 30), (7, 1)) == 7
    assert days_ahead(date(2026, 12, 31), date(2026, 12, 31), (7, 0)) == 0
    assert days_ahead(date(2026, 12, 31), date(2026, 12, 24), ()) is None


def test_a_29_february_birthday_is_on_28_february_in_other_years():
    born = date(2000, 2, 29)
    assert birthday_in(2028, born) == date(2028, 2, 29)
    assert birthday_in(2027, born) == date(2027, 2, 28)
    assert birthday_in(2100, born) == date(2100, 2, 28)  # not a leap year
    assert is_birthday(born, date(2027, 2, 28)) and not is_birthday(born, date(2027, 3, 1))
    assert is_birthday(born, date(2028, 2, 29)) and not is_birthday(born, date(2028, 2, 28))


def test_an_ordinary_birthday():
    born = date(1985, 6, 15)
    assert birthday_in(2027, born) == date(2027, 6, 15)
    assert is_birthday(born, date(2026, 6, 15)) and not is_birthday(born, date(2026, 6, 14))
    assert birthday_in(2027, date(1990, 2, 28)) == date(2027, 2, 28)


# ----------------------------------------------------------------------------- reading settings

@pytest.mark.parametrize("text, days", [
    ("30,7,1", (30, 7, 1)), ("1, 7 ,30", (30, 7, 1)), ("7,7,1", (7, 1)), ("7,1,", (7, 1)), ("0", (0,)),
    ("", ()),
])
def test_parse_days(text, days):
    assert parse_days(text) == days


@pytest.mark.parametrize("text", ["thirty", "30;7", "7,-1", "1.5"])
def test_parse_days_refuses_what_is_not_a_list_of_days(text):
    with pytest.raises(ValueError):
        parse_days(text)


def test_parse_kinds_all_is_every_reminder_kind_but_broadcasts():
    assert parse_kinds("all") == EVERY_KIND
    assert parse_kinds(" ALL ") == EVERY_KIND
    assert ReminderKind.broadcasts not in parse_kinds("all")


@pytest.mark.parametrize("text", ["none", "None", "", "   ", None])
def test_parse_kinds_none_or_empty_is_no_kind(text):
    assert parse_kinds(text) == frozenset()


def test_parse_kinds_a_list():
    assert parse_kinds("documents,birthday") == frozenset({ReminderKind.documents, ReminderKind.birthday})
    assert parse_kinds(" Renewal , inspection,") == frozenset({ReminderKind.renewal, ReminderKind.inspection})


@pytest.mark.parametrize("text", ["holidays", "documents,holidays", "documents;birthday"])
def test_parse_kinds_refuses_an_unknown_kind(text):
    with pytest.raises(ValueError):
        parse_kinds(text)


def test_the_default_rules():
    rules = ReminderRules()
    assert (rules.send_time, rules.documents_first, rules.documents_every, rules.documents_max) == (
        time(10, 0), timedelta(days=2), timedelta(days=3), 3)
    assert (rules.renewal_days, rules.inspection_days, rules.maintenance_days) == ((30, 7, 1), (30, 7, 1), (7, 1))
    assert rules.enabled == EVERY_KIND
    assert (rules.quiet_hours.start, rules.quiet_hours.end) == (time(21, 0), time(9, 0))


@pytest.mark.parametrize("bad", [
    dict(documents_first=timedelta(seconds=-1)),
    dict(documents_every=timedelta(0)),
    dict(documents_every=timedelta(days=-3)),
    dict(documents_max=-1),
    dict(renewal_days=(30, -1)),
    dict(inspection_days=(-7,)),
    dict(maintenance_days=(7, 1, -1)),
])
def test_reminder_rules_refuse_impossible_parameters(bad):
    with pytest.raises(ValueError):
        ReminderRules(timezone=SHANGHAI, **bad)


def test_reminder_rules_accept_no_delay_and_no_reminders():
    rules = ReminderRules(timezone=SHANGHAI, documents_first=timedelta(0), documents_max=0, renewal_days=())
    assert document_reminder_due_at(REQUESTED, 0, rules) is None
    immediate = ReminderRules(timezone=SHANGHAI, quiet_hours=RULES.quiet_hours, documents_first=timedelta(0))
    assert document_reminder_due_at(REQUESTED, 0, immediate) == REQUESTED
