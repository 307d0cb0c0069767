"""The NPS report: the study's arithmetic, shares, reasons per group, months, callbacks, and its chart."""
import struct
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from claims.enums import HandoffReason, NpsFollowUp, NpsReason
from claims.models import NpsResponse
from claims.nps import NpsCategory, net_promoter_score, share
from claims.services.handoffs import request_handoff
from claims.survey.chart import HEIGHT_PX, WIDTH_PX, nps_chart_png
from claims.survey.report import Period, nps_report, parse_period, report_text

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_study_figures():
    # 1,149 promoters, 498 passives and 66 detractors of the 1,713 reached: NPS 63.22
    assert net_promoter_score(1149, 498, 66) == Decimal("63.22")
    assert net_promoter_score(0, 0, 5) == Decimal("-100.00")
    assert net_promoter_score(1, 1, 1) == Decimal("0.00")
    assert net_promoter_score(0, 0, 0) is None
    assert share(1713, 4295) == Decimal("39.9")  # the study's reach, 39.89%
    with pytest.raises(ValueError):
        net_promoter_score(-1, 0, 0)


@pytest.mark.parametrize("text, first, last", [
    ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
    ("2026-02", date(2026, 2, 1), date(2026, 2, 28)),
    ("2026-09..2026-11", date(2026, 9, 1), date(2026, 11, 30)),
    ("30d", date(2026, 11, 3), date(2026, 12, 2)),
    ("all", date(2026, 1, 1), date(2026, 12, 2)),
    (None, date(2026, 1, 1), date(2026, 12, 2)),
])
def test_periods(text, first, last):
    assert parse_period(text, today=date(2026, 12, 2)) == Period(first, last)


@pytest.mark.parametrize("text", ["last year", "2026-13", "2026-11..2026-09"])
def test_bad_periods_are_refused(text):
    with pytest.raises(ValueError):
        parse_period(text, today=date(2026, 12, 2))


def answer(session, score, reason, *, at, branch="Shanghai", chat_id=1):
    session.add(NpsResponse(chat_id=chat_id, score=score, follow_up=NpsFollowUp.why_not, reason=reason,
                            comment="…" if reason else None, branch=branch, channel="telegram", created_at=at))


def test_report_counts_shares_reasons_and_months(session):
    oct_, nov = datetime(2026, 10, 15, 4, tzinfo=timezone.utc), datetime(2026, 11, 15, 4, tzinfo=timezone.utc)
    for score, reason, at in [(10, NpsReason.fast, oct_), (9, NpsReason.fast, nov), (9, NpsReason.all_good, nov),
                              (7, NpsReason.slow, nov), (3, NpsReason.slow, nov),
                              (2, NpsReason.payout_not_explained, nov), (0, None, nov)]:
        answer(session, score, reason, at=at)
    answer(session, 1, NpsReason.staff_attitude, at=nov, branch="Suzhou")
    session.commit()
    request_handoff(session, chat_id=42, telegram_user_id=42, reason=HandoffReason.nps_detractor,
                    summary="NPS 3: slow", now=nov)
    report = nps_report(session, period=Period(date(2026, 10, 1), date(2026, 11, 30)), tz=SHANGHAI, branch="shanghai")
    assert (report.scored, report.sent) == (7, 7)
    assert report.counts == {NpsCategory.promoter: 3, NpsCategory.passive: 1, NpsCategory.detractor: 3}
    assert report.nps == Decimal("0.00")  # (3 - 3) / 7
    assert report.group_share(NpsCategory.promoter) == Decimal("42.9")
    detractor_reasons = [(line.reason, line.count, line.share) for line in report.reasons[NpsCategory.detractor]]
    assert detractor_reasons == [(NpsReason.slow, 1, Decimal("50.0")), (NpsReason.payout_not_explained, 1, Decimal("50.0"))]
    assert [(m.month, m.scored, m.nps) for m in report.months] == [
        ("2026-10", 1, Decimal("100.00")), ("2026-11", 6, Decimal("-16.67"))]
    assert [c.summary for c in report.open_callbacks] == ["NPS 3: slow"]
    everywhere = nps_report(session, period=Period(date(2026, 10, 1), date(2026, 11, 30)), tz=SHANGHAI)
    assert everywhere.scored == 8

    english, chinese = report_text(report, "en", tz=SHANGHAI), report_text(report, "zh", tz=SHANGHAI)
    assert "NPS: 0.00" in english and "Promoters (9-10): 3 (42.9%)" in english
    assert "slow survey, assessment or claim: 1 (50.0%)" in english
    assert "Detractors waiting for a call back: 1" in english
    assert "推荐者（9-10分）：3（42.9%）" in chinese and "赔款计算未解释" in chinese


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_the_chart_is_a_png_of_the_expected_size(session):
    for month in (9, 10, 11):
        for score in (10, 9, 6, 8):
            answer(session, score, NpsReason.slow if score < 9 else NpsReason.fast,
                   at=datetime(2026, month, 10, 4, tzinfo=timezone.utc))
    session.commit()
    report = nps_report(session, period=Period(date(2026, 9, 1), date(2026, 11, 30)), tz=SHANGHAI)
    png = nps_chart_png(report)
    assert png_size(png) == (WIDTH_PX, HEIGHT_PX) == (1200, 600)
    empty = nps_report(session, period=Period(date(2025, 1, 1), date(2025, 1, 31)), tz=SHANGHAI)
    assert empty.nps is None and png_size(nps_chart_png(empty)) == (1200, 600)
