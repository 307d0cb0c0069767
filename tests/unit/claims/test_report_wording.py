"""The wording of the accident report: answers as the summary shows them, triage reasons, spelled names."""
from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from claims.enums import ChecklistItem as I, Language, ThirdParty
from claims.triage import EstimateBand as B, TriageReason as R
from claims.wording import (
    checklist_label, checklist_text, estimate_band_label, format_date_time, no_police_report_label, spell_out,
    third_party_label, triage_reasons_text, vehicle_label, yes_no_label,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


# ------------------------------------------------------------------------------------- who else


@pytest.mark.parametrize(
    ("value", "en", "zh"),
    [
        (ThirdParty.none, "Nobody else, only my car", "无，只有我的车"),
        (ThirdParty.other_vehicle, "Another vehicle", "其他车辆"),
        (ThirdParty.property, "Someone else's property", "他人财物"),
        (ThirdParty.pedestrian, "A pedestrian or cyclist", "行人或骑车人"),
    ],
)
def test_third_party_label(value, en, zh):
    assert third_party_label(value, "en") == en
    assert third_party_label(value, Language.zh) == zh
    assert third_party_label(value.value, "zh-CN") == zh  # the slot keeps the value as a string


def test_third_party_labels_are_distinct_and_unknown_values_refused():
    for lang in ("en", "zh"):
        assert len({third_party_label(value, lang) for value in ThirdParty}) == len(ThirdParty)
    with pytest.raises(ValueError):
        third_party_label("alien", "en")


def test_an_unknown_language_falls_back_to_english():
    assert third_party_label(ThirdParty.none, "fr") == "Nobody else, only my car"
    assert estimate_band_label(B.unknown, None) == "Not sure yet"


# ------------------------------------------------------------------------------------- the estimate


@pytest.mark.parametrize(
    ("band", "en", "zh"),
    [
        (B.under_2000, "Under 2,000 CNY", "2000 元以下"),
        (B.from_2000_to_5000, "2,000–5,000 CNY", "2000–5000 元"),
        (B.from_5000_to_20000, "5,000–20,000 CNY", "5000–20000 元"),
        (B.over_20000, "Over 20,000 CNY", "20000 元以上"),
        (B.unknown, "Not sure yet", "暂不确定"),
    ],
)
def test_estimate_band_label(band, en, zh):
    assert estimate_band_label(band, "en") == en
    assert estimate_band_label(band.value, "zh") == zh


def test_estimate_band_labels_are_distinct_and_unknown_bands_refused():
    for lang in ("en", "zh"):
        assert len({estimate_band_label(band, lang) for band in B}) == len(B)
    with pytest.raises(ValueError):
        estimate_band_label("about_3000", "en")


# ------------------------------------------------------------------------------------- yes, no, none


def test_yes_no_label():
    assert (yes_no_label(True, "en"), yes_no_label(False, "en")) == ("Yes", "No")
    assert (yes_no_label(True, "zh"), yes_no_label(False, Language.zh)) == ("是", "否")


def test_no_police_report_label():
    assert no_police_report_label("en") == "None"
    assert no_police_report_label("zh") == "无"


# --------------------------------------------------------------------------------- triage reasons


def test_one_reason_is_said_alone():
    assert triage_reasons_text([R.injuries], "en") == "someone was hurt"
    assert triage_reasons_text([R.injuries], "zh") == "有人受伤"


def test_two_reasons_are_joined_with_and():
    assert triage_reasons_text([R.third_party, R.estimate_unknown], "en") == (
        "someone else was involved and the repair cost is not known yet")
    assert triage_reasons_text([R.third_party, R.estimate_unknown], "zh") == "涉及第三方、损失金额暂不确定"


def test_three_reasons_are_a_list_ending_with_and_in_the_given_order():
    reasons = [R.injuries, R.third_party, R.estimate_over_limit]
    assert triage_reasons_text(reasons, "en") == (
        "someone was hurt, someone else was involved and the repair may cost more than the fast-track limit")
    assert triage_reasons_text(reasons, "zh") == "有人受伤、涉及第三方、预估损失超过快速理赔的额度"
    assert triage_reasons_text(list(reversed(reasons)), "en").startswith("the repair may cost more")


def test_no_reasons_give_an_empty_text_in_both_languages():
    assert triage_reasons_text([], "zh") == ""
    assert triage_reasons_text([], "en") == ""


def test_every_reason_has_its_own_words():
    for lang in ("en", "zh"):
        assert len({triage_reasons_text([reason], lang) for reason in R}) == len(R)


# ------------------------------------------------------------------------------------ date and time


def test_format_date_time_in_shanghai_from_utc():
    late_utc = datetime(2026, 11, 23, 16, 30, tzinfo=timezone.utc)  # 00:30 on the 24th in Shanghai
    assert format_date_time(late_utc, "en", SHANGHAI) == "24 Nov 2026, 00:30"
    assert format_date_time(late_utc, "zh", "Asia/Shanghai") == "2026年11月24日 00:30"
    assert format_date_time(late_utc, "en", timezone.utc) == "23 Nov 2026, 16:30"


def test_format_date_time_pads_hours_and_minutes():
    morning = datetime(2026, 1, 5, 8, 5, tzinfo=SHANGHAI)
    assert format_date_time(morning, "en", SHANGHAI) == "5 Jan 2026, 08:05"
    assert format_date_time(morning, "zh", SHANGHAI) == "2026年1月5日 08:05"


def test_format_date_time_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="naive"):
        format_date_time(datetime(2026, 11, 23, 16, 30), "en", SHANGHAI)


# ------------------------------------------------------------------------------------- spelling out


@pytest.mark.parametrize(
    ("text", "spelled"),
    [
        ("Carter", "C-A-R-T-E-R"),
        ("Emma Carter", "E-M-M-A C-A-R-T-E-R"),
        ("zhang  wei", "Z-H-A-N-G W-E-I"),  # extra spaces, lower case
        ("张伟", "张 · 伟"),
        ("欧阳 娜娜", "欧 · 阳 · 娜 · 娜"),  # spaces are not characters to read out
        ("沪A6K215", "沪 · A · 6 · K · 2 · 1 · 5"),
        ("沪a6k215", "沪 · A · 6 · K · 2 · 1 · 5"),
    ],
)
def test_spell_out(text, spelled):
    assert spell_out(text) == spelled


@pytest.mark.parametrize(
    ("name", "last_word"),
    [("José Carter", "C-A-R-T-E-R"), ("Jean-Luc Picard", "P-I-C-A-R-D"), ("Siobhan O'Brien", None)],
)
def test_a_latin_name_with_an_accent_hyphen_or_apostrophe_keeps_its_words(name, last_word):
    spelled = spell_out(name)
    assert "·" not in spelled  # the Latin style, as for other Latin names
    assert spelled.startswith(name.split()[0][:1].upper() + "-")
    if last_word:
        assert spelled.endswith(" " + last_word)


# ------------------------------------------------------------------------------------------ the car


def test_vehicle_label():
    car = SimpleNamespace(plate_number="沪A6K215", make="Tesla", model="Model 3")
    assert vehicle_label(car) == "沪A6K215 · Tesla Model 3"


def test_vehicle_label_of_a_stored_car(session):
    from tests.factories import make_vehicle

    car = make_vehicle(session, plate_number="沪B12345", make="BYD", model="Han")
    assert vehicle_label(car) == "沪B12345 · BYD Han"


# ------------------------------------------------------------------------------------- the checklist


def test_checklist_text_in_both_languages():
    items = [I.front_left, I.damage_closeup, I.bank_card]
    assert checklist_text(items, "en") == (
        "Photo of the front-left corner; Close-up photo of the damage; Bank card for the payout")
    assert checklist_text(items, "zh") == "车辆左前45度照片、受损部位近景照片、收款银行卡"
    assert checklist_text(items, "en").split("; ") == [checklist_label(item, "en") for item in items]


def test_checklist_text_of_one_and_of_none():
    assert checklist_text([I.police_report], "zh") == "交警事故认定书"
    assert checklist_text([], "en") == "" and checklist_text([], "zh") == ""
    assert checklist_text(("id_card",), "en") == "ID card"  # values as strings are understood
