"""What the console shows agents: the context card, the topic name, the transcript, /queue and /stats."""
from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from bot.agent_desk.texts import agent_text
from claims import wording
from claims.desk_hours import DeskSchedule, describe_week
from claims.enums import HandoffOutcome, HandoffStatus
from claims.services.agent_desk import DeskStats, QueueEntry
from claims.services.case_context import CaseContext, RescueLine, TranscriptLine

TOPIC_NAME_LIMIT = 128  # Telegram's limit for a forum topic name
LINE_LIMIT = 300  # one transcript message on the card; the full text stays in the store
MESSAGE_LIMIT = 4096
LANGUAGE_NAMES = {"en": {"en": "English", "zh": "英文"}, "zh": {"en": "Chinese", "zh": "中文"}}
REASON_ICONS = {"injury": "🚑", "complaint": "⚠️", "disputed_assessment": "⚖️", "nps_detractor": "📞", "roadside": "🛠"}


def topic_name(context: CaseContext) -> str:
    """'⚠️ Zhang Wei · CLM-2026-004217': who and which claim, findable in the topic list."""
    parts = [context.customer_name]
    if context.claim is not None:
        parts.append(context.claim.claim_number)
    if not context.verified:
        parts.append("?")
    icon = REASON_ICONS.get(context.reason.value)
    name = " · ".join(parts)
    return (f"{icon} {name}" if icon else name)[:TOPIC_NAME_LIMIT]


def reason_label(reason: str, lang: str) -> str:
    return agent_text(f"reason_{reason}", lang)


def context_card(context: CaseContext, lang: str, tz: tzinfo, currency: str) -> str:
    """The card that opens a case topic: who, why, the claim, the state of the case."""
    t = lambda key, **kw: agent_text(key, lang).format(**kw)  # noqa: E731 - local shorthand
    customer_language = LANGUAGE_NAMES.get(context.language.value, LANGUAGE_NAMES["en"]).get(lang, "English")
    lines = [t("card_title", id=context.handoff_id, name=context.customer_name),
             t("card_why", reason=reason_label(context.reason.value, lang))]
    if context.request_text and not context.request_text.startswith("/"):
        lines.append(t("card_said", text=_clip(context.request_text)))
    lines.append(t("card_verified", phone=context.phone, language=customer_language) if context.verified
                 else t("card_unverified", language=customer_language))
    for policy in context.policies:
        lines.append(t("card_policy", number=policy.number, product=policy.product, status=policy.status.value,
                       vehicles=", ".join(policy.vehicles) or "—"))
    if context.verified and not context.policies:
        lines.append(t("card_no_policy"))
    claim_lines = _claim_lines(context, lang, tz, currency)
    if claim_lines:
        lines += ["", *claim_lines]
    if context.rescue is not None:
        lines += ["", *_rescue_lines(context.rescue, lang)]
    lines += ["", _state_line(context, lang, tz)]
    if context.transfer_count:
        lines.append(t("card_transferred", count=context.transfer_count))
    if context.breached:
        lines.append(t("card_breached"))
    lines.append(t("card_commands"))
    return _fit("\n".join(lines))


def _rescue_lines(rescue: RescueLine, lang: str) -> list[str]:
    t = lambda key, **kw: agent_text(key, lang).format(**kw)  # noqa: E731
    lines = [t("card_rescue", reference=rescue.reference, service=wording.service_label(rescue.service, lang),
               status=wording.roadside_status_label(rescue.status, lang), place=rescue.place)]
    if rescue.driver_name:
        lines.append(t("card_rescue_truck", driver=rescue.driver_name, plate=rescue.truck_plate or "?",
                       eta="?" if rescue.eta_minutes is None else rescue.eta_minutes,
                       distance="?" if rescue.distance_km is None else rescue.distance_km))
    if rescue.last_error:
        lines.append(t("card_rescue_error", error=_clip(rescue.last_error)))
    return lines


def _claim_lines(context: CaseContext, lang: str, tz: tzinfo, currency: str) -> list[str]:
    t = lambda key, **kw: agent_text(key, lang).format(**kw)  # noqa: E731
    status = context.claim
    if status is None:
        return [t("card_no_claim")] if context.verified else []
    lines = [t("card_claim", number=status.claim_number, plate=status.plate,
               stage=wording.stage_label(status.stage, lang),
               fast_track=t("card_fast_track") if status.fast_track else "",
               late=t("card_late") if status.overdue else "")]
    if status.missing_items:
        lines.append(t("card_missing", items=wording.checklist_text(status.missing_items, lang)))
    else:
        lines.append(t("card_nothing_missing"))
    lines.append(t("card_handler", name=status.adjuster.name) if status.adjuster else t("card_no_handler"))
    if status.payout is not None:
        rows = wording.format_payout_lines(status.payout, lang, currency)
        lines.append(t("card_payout", lines="\n".join(f"  {label}: {amount}" for label, amount in rows)))
    if context.other_open_claims:
        lines.append(t("card_other_claims", numbers=", ".join(context.other_open_claims)))
    return lines


def _state_line(context: CaseContext, lang: str, tz: tzinfo) -> str:
    if context.status is HandoffStatus.assigned:
        return agent_text("card_taken", lang).format(agent=context.agent_name)
    if context.status is HandoffStatus.closed:
        withdrawn = context.outcome is HandoffOutcome.withdrawn
        return agent_text("card_withdrawn" if withdrawn else "card_closed", lang)
    return agent_text("card_waiting", lang).format(
        time=_clock(context.requested_at, tz), position=context.queue_position or "?")


def transcript_messages(lines: list[TranscriptLine], lang: str, tz: tzinfo) -> list[str]:
    """The last messages, oldest first, split into Telegram-sized messages."""
    if not lines:
        return [agent_text("card_no_history", lang)]
    header = agent_text("card_history", lang).format(count=len(lines))
    rendered = [f"{_clock(line.at, tz)} {agent_text(f'who_{line.sender.value}', lang)} {_clip(line.text)}"
                for line in lines]
    messages, current = [], header
    for line in rendered:
        if len(current) + 1 + len(line) > MESSAGE_LIMIT:
            messages.append(current)
            current = line
        else:
            current = f"{current}\n{line}"
    messages.append(current)
    return messages


def queue_text(entries: list[QueueEntry], lang: str, tz: tzinfo, now: datetime) -> str:
    """`/queue`: waiting cases in the order they are served, then those agents own."""
    waiting = [e for e in entries if e.status is HandoffStatus.queued]
    owned = [e for e in entries if e.status is HandoffStatus.assigned]
    if not waiting:
        lines = [agent_text("queue_empty", lang)]
    else:
        lines = [agent_text("queue_title", lang).format(count=len(waiting), owned=len(owned))]
    for position, entry in enumerate(waiting, start=1):
        lines.append(agent_text("queue_waiting", lang).format(
            position=position, id=entry.handoff_id, name=_name(entry),
            reason=reason_label(entry.reason.value, lang),
            minutes=int((now - entry.requested_at).total_seconds() // 60),
            late=" ⏰" if entry.breached else ""))
    for entry in owned:
        lines.append(agent_text("queue_owned", lang).format(
            id=entry.handoff_id, name=_name(entry), agent=entry.agent_name, time=_clock(entry.assigned_at, tz)))
    return _fit("\n".join(lines))


def stats_text(stats: DeskStats, lang: str, day: str) -> str:
    """`/stats`: today's figures."""
    missing = agent_text("not_available", lang)
    rate = stats.containment_rate
    return agent_text("stats", lang).format(
        date=day, handoffs=stats.handoffs, taken=stats.taken, waiting=stats.waiting, breached=stats.breached,
        first_response=duration_text(stats.median_first_response) or missing,
        resolution=duration_text(stats.median_resolution) or missing,
        conversations=stats.conversations, contained=stats.contained,
        containment=f"{rate:.0%}" if rate is not None else missing,
    )


def _name(entry: QueueEntry) -> str:
    return entry.customer_name if entry.verified else f"{entry.customer_name} (?)"


def duration_text(value: timedelta | None) -> str | None:
    """'45 s', '3 min 20 s', '1 h 05 min' (None for None)."""
    if value is None:
        return None
    seconds = int(round(value.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min" + (f" {seconds % 60:02d} s" if seconds % 60 else "")
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def _clock(moment: datetime, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%H:%M")


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= LINE_LIMIT else flat[: LINE_LIMIT - 1] + "…"


def _fit(text: str) -> str:
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def desk_text(schedule: DeskSchedule, now: datetime, lang: str) -> str:
    """`/desk`: open or closed now, until when, and the weekly hours."""
    is_open = schedule.is_open(now)
    change = schedule.closing_after(now) if is_open else schedule.next_opening(now)
    until = agent_text("desk_until", lang).format(time=wording.format_desk_time(change, lang, schedule.timezone, now=now)) \
        if change else ""
    status = agent_text("desk_status_open" if is_open else "desk_status_closed", lang).format(until=until)
    hours = ", ".join(f"{day} {value}" for day, value in describe_week(schedule.week).items())
    return f"{status}\n{agent_text('desk_hours', lang).format(hours=hours)}\n{agent_text('desk_usage', lang)}"
