"""The bilingual wording of stages, documents, payout lines, amounts and dates."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from claims.enums import ChecklistItem, Language
from claims.payout import payout_breakdown
from claims.stages import ClaimStage as S
from claims.services.tracking import AdjusterContact, ClaimStatus
from claims.wording import (
    PAYOUT_LINE_KEYS, checklist_label, claim_choice_label, expected_by_text, format_date, format_desk_time,
    format_money,
    format_payout_lines, handler_line, language_of, next_step_line, payment_line, payout_line_label, stage_label,
    stage_meaning, stage_update_text, todo_line,
)
from tests.factories import make_claim, make_vehicle

SHANGHAI = ZoneInfo("Asia/Shanghai")
CJK = range(0x4E00, 0xA000)


def has_chinese(text: str) -> bool:
    return any(ord(ch) in CJK for ch in text)


def test_stage_labels_use_the_insurers_terms():
    assert (stage_label(S.loss_assessment, "en"), stage_label(S.loss_assessment, "zh")) == ("Loss assessment", "定损")
    zh = {stage: stage_label(stage, Language.zh) for stage in S}
    assert zh[S.reported] == "已报案" and zh[S.survey] == "查勘" and zh[S.adjustment] == "理算"
    assert zh[S.approval] == "核赔" and zh[S.paid] == "赔款已支付" and zh[S.closed] == "已结案"
    assert zh[S.awaiting_documents] == "待补材料" and zh[S.rejected] == "拒赔" and zh[S.withdrawn] == "已撤案"
    assert "核损" in zh[S.loss_review] and "核价" in zh[S.loss_review]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_stage_has_a_distinct_label_and_a_one_sentence_meaning(lang):
    labels = [stage_label(stage, lang) for stage in S]
    assert len(set(labels)) == len(labels)
    for stage in S:
        meaning = stage_meaning(stage, lang)
        assert meaning and meaning != stage_label(stage, lang)
        assert has_chinese(meaning) == (lang == "zh")
        assert meaning.count("\n") == 0 and meaning[-1] in ".。"
        body = meaning[:-1]  # one sentence: no full stop before the end
        assert ("。" not in body) if lang == "zh" else (". " not in body)


def test_english_avoids_insurer_jargon():
    english = " ".join(stage_meaning(stage, "en") + stage_label(stage, "en") for stage in S).lower()
    for jargon in ("adjudicat", "indemnity", "subrogation", "quantum", "loss adjuster"):
        assert jargon not in english


def test_stage_and_item_are_accepted_as_values_and_unknown_ones_refused():
    assert stage_label("paid", "en") == "Paid"
    assert checklist_label("front_left", "zh") == "车辆左前45度照片"
    with pytest.raises(ValueError):
        stage_label("lost", "en")
    with pytest.raises(ValueError):
        checklist_label("selfie", "en")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_checklist_item_has_a_distinct_label(lang):
    labels = [checklist_label(item, lang) for item in ChecklistItem]
    assert len(set(labels)) == len(labels) and all(labels)
    assert checklist_label(ChecklistItem.front_left, "en") == "Photo of the front-left corner"


def test_unknown_or_regional_languages():
    assert language_of("zh-CN") is Language.zh and language_of(Language.zh) is Language.zh
    assert language_of("fr") is Language.en and language_of(None) is Language.en
    assert stage_label(S.survey, "fr") == stage_label(S.survey, "en")


@pytest.mark.parametrize("amount,en,zh", [
    (Decimal("12345.6"), "CNY 12,345.60", "12,345.60 元"),
    (Decimal("0"), "CNY 0.00", "0.00 元"),
    (Decimal("-500"), "-CNY 500.00", "-500.00 元"),
    (Decimal("-0.00"), "CNY 0.00", "0.00 元"),
    (Decimal("0.005"), "CNY 0.01", "0.01 元"),  # half up
    (Decimal("1234567.994"), "CNY 1,234,567.99", "1,234,567.99 元"),
    (7, "CNY 7.00", "7.00 元"),
])
def test_format_money(amount, en, zh):
    assert format_money(amount, "en") == en
    assert format_money(amount, Language.zh) == zh


def test_format_money_other_currencies_and_bad_amounts():
    assert format_money(Decimal("10"), "en", currency="usd") == "USD 10.00"
    assert format_money(Decimal("10"), "zh", currency="USD") == "10.00 美元"
    assert format_money(Decimal("10"), "zh", currency="JPY") == "10.00 JPY"
    with pytest.raises(TypeError):
        format_money(10.5, "en")
    with pytest.raises(ValueError):
        format_money(Decimal("NaN"), "en")


def test_payout_line_labels_and_lines():
    assert {payout_line_label(key, "zh") for key in PAYOUT_LINE_KEYS} >= {"配件费", "工时费", "免赔额", "折旧", "残值"}
    with pytest.raises(KeyError):
        payout_line_label("bonus", "en")
    breakdown = payout_breakdown(parts=Decimal("8000"), labour=Decimal("2000"), deductible=Decimal("500"),
                                 salvage=Decimal("180"))
    assert format_payout_lines(breakdown, "en") == [
        ("Parts", "CNY 8,000.00"), ("Labour", "CNY 2,000.00"), ("Repair cost", "CNY 10,000.00"),
        ("Your deductible", "-CNY 500.00"), ("Value of the replaced parts (salvage)", "-CNY 180.00"),
        ("Payout", "CNY 9,320.00"),
    ]  # no depreciation line: none was taken off
    assert format_payout_lines(breakdown, "zh")[-1] == ("赔款金额", "9,320.00 元")


def test_format_date_in_the_business_timezone():
    late_evening_utc = datetime(2026, 11, 11, 17, 30, tzinfo=timezone.utc)  # already the 12th in Shanghai
    assert format_date(late_evening_utc, "en", SHANGHAI) == "12 Nov 2026"
    assert format_date(late_evening_utc, "zh", "Asia/Shanghai") == "2026年11月12日"
    assert format_date(late_evening_utc, "en", timezone.utc) == "11 Nov 2026"
    assert format_date(date(2026, 1, 5), "en", SHANGHAI) == "5 Jan 2026"
    with pytest.raises(ValueError, match="naive"):
        format_date(datetime(2026, 11, 12), "en", SHANGHAI)


def test_expected_by():
    due = datetime(2026, 11, 14, 1, 0, tzinfo=timezone.utc)
    assert expected_by_text(due, "en", SHANGHAI, overdue=False) == "Expected to move on by 14 Nov 2026."
    assert "2026年11月14日" in expected_by_text(due, "zh", SHANGHAI, overdue=False)
    assert "longer than usual" in expected_by_text(due, "en", SHANGHAI, overdue=True)


def test_stage_update_text_says_the_stage_what_it_means_and_what_is_next():
    en = stage_update_text(S.loss_assessment, "en", claim_number="CLM-2026-000024")
    assert en.splitlines() == [
        "Update on your claim CLM-2026-000024: Loss assessment.",
        stage_meaning(S.loss_assessment, "en"),
        "Next step: Repair cost check.",
    ]
    zh = stage_update_text("loss_assessment", "zh", claim_number="CLM-2026-000024")
    assert zh.splitlines()[0] == "您的案件 CLM-2026-000024 有新进展：定损。"
    assert zh.splitlines()[-1] == "下一步：核损核价。"


@pytest.mark.parametrize("stage", [S.awaiting_documents, S.paid, S.closed, S.rejected, S.withdrawn])
def test_no_next_step_where_the_claim_ends_or_waits_for_the_customer(stage):
    for lang in ("en", "zh"):
        text = stage_update_text(stage, lang, claim_number="CLM-2026-000001")
        assert len(text.splitlines()) == 2 and stage_label(stage, lang) in text


def test_next_step_after_reported_depends_on_the_fast_track():
    assert stage_update_text(S.reported, "en", claim_number="X", fast_track=True).endswith("Loss assessment.")
    assert stage_update_text(S.reported, "en", claim_number="X").endswith("Damage inspection.")


def test_dates_cross_the_year_in_the_business_timezone():
    new_year = datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc) + timedelta(minutes=1)
    assert format_date(new_year, "zh", SHANGHAI) == "2027年1月1日"


def test_the_enums_str_form_is_understood():
    assert language_of(str(Language.zh)) is Language.zh  # "Language.zh" on Python 3.10
    assert stage_label(S.paid, str(Language.zh)) == "赔款已支付"


def _status(**overrides):
    values = dict(
        claim_number="CLM-2026-000024", plate="沪A6K215", stage=S.loss_assessment,
        stage_entered_at=datetime(2026, 11, 20, 1, 0, tzinfo=timezone.utc), timeline=[], adjuster=None,
        missing_items=[], next_stage=S.loss_review, next_stage_due=datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc),
        overdue=False, payout=None, payout_paid_at=None, payout_card_last4=None,
    )
    return ClaimStatus(**{**values, **overrides})


def test_handler_line():
    adjuster = AdjusterContact("王磊", "+8613901762245", "wang.lei@claims.example.cn")
    assert handler_line(adjuster, "en") == (
        "Your claim is handled by 王磊: phone +86 139 0176 2245, email wang.lei@claims.example.cn.")
    assert handler_line(AdjusterContact("王磊", "+442071234567", None), "zh") == "负责您案件的理赔员：王磊，电话 +442071234567。"
    assert "/agent" in handler_line(None, "en") and "/agent" in handler_line(None, "zh")


def test_todo_line():
    assert todo_line([], "en") == "Nothing is needed from you right now."
    assert todo_line([ChecklistItem.bank_card, ChecklistItem.id_card], "zh").startswith("还需要您提供：收款银行卡、身份证。")
    assert "Bank card for the payout; ID card." in todo_line([ChecklistItem.bank_card, ChecklistItem.id_card], "en")


def test_next_step_line():
    assert next_step_line(_status(), "en", SHANGHAI) == (
        "Next step: Repair cost check. Expected to move on by 23 Nov 2026.")
    assert next_step_line(_status(overdue=True), "zh", SHANGHAI).startswith("下一步：核损核价。本阶段原定2026年11月23日前完成")
    assert next_step_line(_status(next_stage_due=None), "en", SHANGHAI) == "Next step: Repair cost check."
    assert next_step_line(_status(next_stage=None, next_stage_due=None), "zh", SHANGHAI) == "本案件没有后续步骤。"


def test_payment_line():
    paid = _status(payout_paid_at=datetime(2026, 11, 20, 17, 0, tzinfo=timezone.utc), payout_card_last4="3159")
    assert payment_line(paid, "en", SHANGHAI) == "Paid on 21 Nov 2026 to your bank card ending 3159."
    assert payment_line(paid, "zh", SHANGHAI) == "赔款已于2026年11月21日支付到您尾号3159的银行卡。"
    assert "1 to 3 working days" in payment_line(_status(), "en", SHANGHAI)


def test_claim_choice_label(session, now):
    claim = make_claim(session, stage=S.survey, now=now, vehicle=make_vehicle(session, plate_number="沪A6K215"))
    assert claim_choice_label(claim, "zh") == f"{claim.claim_number} · 沪A6K215 · 查勘"


# --- when the agents' desk opens or closes ------------------------------------------------------------

DESK_NOW = datetime(2026, 11, 23, 14, 0, tzinfo=SHANGHAI)  # Monday afternoon in Shanghai


@pytest.mark.parametrize(("value", "en", "zh"), [
    (datetime(2026, 11, 23, 20, 0, tzinfo=SHANGHAI), "today 20:00", "今天 20:00"),
    (datetime(2026, 11, 24, 8, 30, tzinfo=SHANGHAI), "tomorrow 08:30", "明天 08:30"),
    (datetime(2026, 11, 25, 8, 30, tzinfo=SHANGHAI), "Wednesday 08:30", "周三 08:30"),
    (datetime(2026, 11, 29, 9, 0, tzinfo=SHANGHAI), "Sunday 09:00", "周日 09:00"),
    (datetime(2026, 11, 30, 8, 30, tzinfo=SHANGHAI), "30 Nov 2026 08:30", "2026年11月30日 08:30"),
    (datetime(2027, 1, 4, 8, 30, tzinfo=SHANGHAI), "4 Jan 2027 08:30", "2027年1月4日 08:30"),
])
def test_desk_time_reads_as_today_tomorrow_a_weekday_or_a_date(value, en, zh):
    assert format_desk_time(value, "en", SHANGHAI, now=DESK_NOW) == en
    assert format_desk_time(value, Language.zh, "Asia/Shanghai", now=DESK_NOW) == zh


def test_desk_time_is_in_the_business_timezone():
    # 01:00 on Tuesday in Shanghai is still Monday in UTC; 08:30 Shanghai that morning is "today"
    now = datetime(2026, 11, 23, 17, 0, tzinfo=timezone.utc)
    opening = datetime(2026, 11, 24, 0, 30, tzinfo=timezone.utc)
    assert format_desk_time(opening, "en", SHANGHAI, now=now) == "today 08:30"
    assert format_desk_time(opening, "zh", SHANGHAI, now=now) == "今天 08:30"


def test_desk_time_refuses_naive_datetimes():
    with pytest.raises(ValueError):
        format_desk_time(datetime(2026, 11, 24, 8, 30), "en", SHANGHAI, now=DESK_NOW)
