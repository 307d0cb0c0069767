"""The NPS report: reach, the three groups and their shares, NPS, reasons per group, NPS by month, and the
detractors still waiting for a call back. One computation for the back-office command and the agents' `/nps`.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from claims.enums import HandoffReason, NpsReason, SurveyStatus
from claims.models import Handoff, NpsResponse, NpsSurvey
from claims.nps import NpsCategory, net_promoter_score, nps_category, share
from claims.services.handoffs import OPEN_STATUSES
from claims.survey.reasons import REASON_LABELS

_REACHED = (SurveyStatus.sent, SurveyStatus.scored, SurveyStatus.answered, SurveyStatus.expired)
_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Period:
    """Calendar days in the business timezone, both ends included."""

    first: date
    last: date

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        return (datetime.combine(self.first, time(0), tz),
                datetime.combine(self.last + timedelta(days=1), time(0), tz))

    @property
    def label(self) -> str:
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


def parse_period(text: str | None, *, today: date) -> Period:
    """"2026-11" (a month), "2026-09..2026-11" (months), "90d" (the last 90 days), "all" / None (the last
    12 months)."""
    text = (text or "").strip().lower()
    if text in ("", "all", "12m"):
        return Period(_month_start(_add_months(today, -11)), today)
    days = re.fullmatch(r"(\d{1,4})d", text)
    if days:
        return Period(today - timedelta(days=int(days.group(1)) - 1), today)
    parts = text.split("..")
    if len(parts) in (1, 2) and all(_MONTH.fullmatch(p) for p in parts):
        first = _month_of(parts[0])
        last = _month_end(_month_of(parts[-1]))
        if first <= last:
            return Period(first, last)
    raise ValueError(f"a period is 2026-11, 2026-09..2026-11, 90d or all, not {text!r}")


def _month_of(text: str) -> date:
    year, month = (int(x) for x in _MONTH.fullmatch(text).groups())
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month}")
    return date(year, month, 1)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _month_end(day: date) -> date:
    return _add_months(day, 1) - timedelta(days=1)


@dataclass(frozen=True)
class ReasonLine:
    reason: NpsReason
    count: int
    share: Decimal  # of the group's answers that gave a reason


@dataclass(frozen=True)
class MonthLine:
    month: str  # 2026-11
    scored: int
    nps: Decimal | None


@dataclass(frozen=True)
class Callback:
    handoff_id: int
    requested_at: datetime
    summary: str | None


@dataclass(frozen=True)
class NpsReport:
    period: Period
    branch: str | None
    sent: int
    scored: int
    counts: dict[NpsCategory, int]
    nps: Decimal | None
    reasons: dict[NpsCategory, list[ReasonLine]]
    months: list[MonthLine]
    open_callbacks: list[Callback] = field(default_factory=list)

    @property
    def response_rate(self) -> Decimal | None:
        return share(self.scored, self.sent)

    def group_share(self, category: NpsCategory) -> Decimal | None:
        return share(self.counts[category], self.scored)


def nps_report(session: Session, *, period: Period, tz: tzinfo, branch: str | None = None) -> NpsReport:
    """The report for the period (by when the answer was given) and, optionally, one branch."""
    start, end = period.bounds(tz)
    branch_filter = (func.lower(NpsResponse.branch) == branch.lower(),) if branch else ()
    responses = list(session.scalars(
        select(NpsResponse).where(NpsResponse.created_at >= start, NpsResponse.created_at < end, *branch_filter)
    ))
    survey_branch = (func.lower(NpsSurvey.branch) == branch.lower(),) if branch else ()
    sent = session.scalar(
        select(func.count()).select_from(NpsSurvey)
        .where(NpsSurvey.status.in_(_REACHED), NpsSurvey.sent_at >= start, NpsSurvey.sent_at < end, *survey_branch)
    ) or 0
    # Answers seeded or recorded without an invitation (phone surveys) were reached too.
    sent += sum(1 for r in responses if r.survey_id is None)
    counts = Counter(nps_category(r.score) for r in responses)
    by_group: dict[NpsCategory, Counter[NpsReason]] = {c: Counter() for c in NpsCategory}
    for response in responses:
        if response.reason is not None:
            by_group[nps_category(response.score)][response.reason] += 1
    reasons = {
        category: [ReasonLine(reason, n, share(n, sum(found.values()))) for reason, n in found.most_common()]
        for category, found in by_group.items()
    }
    months: dict[str, Counter[NpsCategory]] = {}
    for response in sorted(responses, key=lambda r: r.created_at):
        month = response.created_at.astimezone(tz).strftime("%Y-%m")
        months.setdefault(month, Counter())[nps_category(response.score)] += 1
    month_lines = [
        MonthLine(month, sum(c.values()), net_promoter_score(c[NpsCategory.promoter], c[NpsCategory.passive],
                                                             c[NpsCategory.detractor]))
        for month, c in months.items()
    ]
    callbacks = [
        Callback(h.id, h.requested_at, h.summary)
        for h in session.scalars(
            select(Handoff).where(Handoff.reason == HandoffReason.nps_detractor, Handoff.status.in_(OPEN_STATUSES))
            .order_by(Handoff.requested_at)
        )
    ]
    return NpsReport(
        period=period, branch=branch, sent=sent, scored=len(responses),
        counts={c: counts[c] for c in NpsCategory},
        nps=net_promoter_score(counts[NpsCategory.promoter], counts[NpsCategory.passive], counts[NpsCategory.detractor]),
        reasons=reasons, months=month_lines, open_callbacks=callbacks,
    )


_GROUPS = {
    NpsCategory.promoter: {"en": "Promoters (9-10)", "zh": "推荐者（9-10分）"},
    NpsCategory.passive: {"en": "Passives (7-8)", "zh": "中立者（7-8分）"},
    NpsCategory.detractor: {"en": "Detractors (0-6)", "zh": "贬损者（0-6分）"},
}
_TEXT = {
    "title": {"en": "NPS survey, {period}{branch}", "zh": "NPS 回访，{period}{branch}"},
    "reach": {"en": "Surveys sent: {sent}; answered: {scored}; response rate: {rate}",
              "zh": "已发送：{sent}；已回答：{scored}；回答率：{rate}"},
    "nps": {"en": "NPS: {nps}", "zh": "NPS：{nps}"},
    "group": {"en": "{group}: {count} ({share})", "zh": "{group}：{count}（{share}）"},
    "reason": {"en": "  · {label}: {count} ({share})", "zh": "  · {label}：{count}（{share}）"},
    "callbacks": {"en": "Detractors waiting for a call back: {count}", "zh": "待回访的贬损者：{count}"},
    "callback": {"en": "  · case #{id} since {since}", "zh": "  · 案件 #{id}，自 {since}"},
}


def _percent(value: Decimal | None) -> str:
    return "n/a" if value is None else f"{value}%"


def report_text(report: NpsReport, language: str, *, tz: tzinfo) -> str:
    """The report as text, in English or Chinese."""
    lang = language if language in ("en", "zh") else "en"
    where = f" · {report.branch}" if report.branch else ""
    lines = [
        _TEXT["title"][lang].format(period=report.period.label, branch=where),
        _TEXT["reach"][lang].format(sent=report.sent, scored=report.scored, rate=_percent(report.response_rate)),
        _TEXT["nps"][lang].format(nps="n/a" if report.nps is None else report.nps),
    ]
    for category in (NpsCategory.promoter, NpsCategory.passive, NpsCategory.detractor):
        lines.append(_TEXT["group"][lang].format(group=_GROUPS[category][lang], count=report.counts[category],
                                                 share=_percent(report.group_share(category))))
        for line in report.reasons[category]:
            lines.append(_TEXT["reason"][lang].format(label=REASON_LABELS[line.reason][lang], count=line.count,
                                                      share=_percent(line.share)))
    lines.append(_TEXT["callbacks"][lang].format(count=len(report.open_callbacks)))
    for callback in report.open_callbacks[:10]:
        since = callback.requested_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        lines.append(_TEXT["callback"][lang].format(id=callback.handoff_id, since=since))
    return "\n".join(lines)
