"""The NPS report as a PNG: NPS by month on the left, the reasons per group as bars on the right.

Matplotlib with the Agg backend (no screen). Labels are in English: the machines this runs on carry no CJK
font, and a chart with missing glyphs would be worse than one in English.
"""
from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # before pyplot: render to memory, never to a window

import matplotlib.pyplot as plt  # noqa: E402

from claims.nps import NpsCategory  # noqa: E402
from claims.survey.report import NpsReport  # noqa: E402

WIDTH_PX, HEIGHT_PX, DPI = 1200, 600, 100
_COLOURS = {NpsCategory.detractor: "#d9534f", NpsCategory.passive: "#f0ad4e", NpsCategory.promoter: "#5cb85c"}


def _label(reason_value: str) -> str:
    return reason_value.replace("_", " ")


def nps_chart_png(report: NpsReport) -> bytes:
    """The report's chart, WIDTH_PX x HEIGHT_PX pixels."""
    figure, (by_month, by_reason) = plt.subplots(1, 2, figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI,
                                                 gridspec_kw={"width_ratios": [1, 1.2]})
    try:
        months = [m for m in report.months if m.nps is not None]
        if months:
            positions = range(len(months))
            values = [float(m.nps) for m in months]
            by_month.bar(positions, values, color=["#5cb85c" if v >= 0 else "#d9534f" for v in values])
            by_month.set_xticks(list(positions), [m.month for m in months], rotation=45, ha="right")
            for x, (value, month) in enumerate(zip(values, months)):
                by_month.annotate(f"{value:.0f}\n(n={month.scored})", (x, value), ha="center",
                                  va="bottom" if value >= 0 else "top", fontsize=8)
        else:
            by_month.text(0.5, 0.5, "no answers in this period", ha="center", va="center", transform=by_month.transAxes)
        by_month.axhline(0, color="#888888", linewidth=0.8)
        by_month.set_ylim(-100, 110)
        by_month.set_ylabel("NPS")
        overall = f"{report.nps}" if report.nps is not None else "n/a"
        by_month.set_title(f"NPS by month (period: {overall}, n={report.scored})")

        labels, counts, colours = [], [], []
        for category in (NpsCategory.detractor, NpsCategory.passive, NpsCategory.promoter):
            for line in report.reasons[category][:6]:
                labels.append(f"{category.value[:3]}: {_label(line.reason.value)}")
                counts.append(line.count)
                colours.append(_COLOURS[category])
        if counts:
            rows = range(len(counts))
            by_reason.barh(list(rows), counts, color=colours)
            by_reason.set_yticks(list(rows), labels, fontsize=8)
            by_reason.invert_yaxis()
            by_reason.set_xlabel("answers")
        else:
            by_reason.text(0.5, 0.5, "no reasons given", ha="center", va="center", transform=by_reason.transAxes)
        where = f" - {report.branch}" if report.branch else ""
        by_reason.set_title(f"Reasons by group{where}")
        figure.suptitle(f"NPS survey, {report.period.label}")
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()
    finally:
        plt.close(figure)
