"""Back-office command line, for claim handlers and demos: `python -m claims.backoffice [--url URL] COMMAND`.

    show CLAIM                                   stage, timeline, adjuster, missing documents, figures
    advance CLAIM [--note TEXT]                  to the next stage (back where it was after documents)
    move CLAIM STAGE [--note TEXT]               to any stage the stage machine allows
    assess CLAIM --parts N --labour N [--depreciation N] [--salvage N]
                                                 store the assessed figures and the payout they give
    pay CLAIM --card-last4 1234 [--note TEXT]    an approved claim is paid (to the card ending 1234)
    adjuster CLAIM NAME                          who handles the claim
    survey CLAIM                                 send the NPS survey about a paid claim now (demos)
    nps [--period P] [--branch B] [--chart F]    the NPS report: reach, groups, NPS, reasons, callbacks

Stage changes are pushed to the policyholder by the bot (claims.services.deliveries). Exit codes: 0 done,
2 refused (unknown claim or adjuster, a move the stage machine forbids, a bad amount or card), 1 the
database could not be used.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from claims.clock import business_date, require_aware, utcnow
from claims.db import make_engine, make_session_factory, session_scope, unusable_database_message
from claims.enums import SurveyStatus
from claims.models import Adjuster, Claim
from claims.money import to_money
from claims.payout import PayoutBreakdown
from claims.services.claims import (
    ClaimNotAssessable, ClaimNotFound, PaymentRefused, advance_claim, assign_adjuster, claim_by_number,
    move_claim_to_stage, record_assessment, record_payment,
)
from claims.services.tracking import claim_status
from claims.settings import ClaimsSettings, get_settings
from claims.stages import ClaimStage, IllegalTransition
from claims.survey import invitations
from claims.survey.report import nps_report, parse_period, report_text
from claims.wording import checklist_label, format_date, format_money, format_payout_lines, stage_label

ACTOR = "back_office"
EXIT_REFUSED = 2
EXIT_DATABASE = 1
MAX_AMOUNT = Decimal("9999999999.99")  # NUMERIC(12, 2)
_AMOUNT = re.compile(r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?")
_CARD_LAST4 = re.compile(r"[0-9]{4}")


class Refused(Exception):
    """A request the back office must correct: printed as `error: ...`, exit code 2."""


def parse_amount(text: str, name: str) -> Decimal:
    """`12345.6`, `12,345.60` -> Decimal('12345.60'); refuses words, negatives, more than 2 decimals."""
    cleaned = text.strip()
    if cleaned.startswith("-"):
        raise Refused(f"{name} must not be negative (got {text!r})")
    if not _AMOUNT.fullmatch(cleaned):
        raise Refused(f"{name} must be an amount like 1234.50 (got {text!r})")
    amount = Decimal(cleaned.replace(",", ""))
    if amount > MAX_AMOUNT:
        raise Refused(f"{name} is too large (at most {MAX_AMOUNT})")
    return to_money(amount)


def parse_card_last4(text: str) -> str:
    """Exactly the last four digits of the card; never more (the store keeps no full card number)."""
    cleaned = text.strip()
    if not _CARD_LAST4.fullmatch(cleaned):
        raise Refused(f"--card-last4 must be exactly 4 digits (got {len(cleaned)} characters)")
    return cleaned


def parse_stage(text: str) -> ClaimStage:
    """A stage by its value, any case, hyphens or spaces for underscores: `loss-assessment`."""
    key = re.sub(r"[\s\-]+", "_", text.strip().lower())
    try:
        return ClaimStage(key)
    except ValueError:
        raise Refused(f"unknown stage {text!r}; stages: {', '.join(s.value for s in ClaimStage)}") from None


def _claim(session: Session, number: str) -> Claim:
    claim = claim_by_number(session, number)
    if claim is None:
        raise Refused(f"no claim {number!r}")
    return claim


def _print_breakdown(breakdown: PayoutBreakdown, currency: str) -> None:
    for label, amount in format_payout_lines(breakdown, "en", currency):
        print(f"  {label:<40} {amount:>20}")


# ------------------------------------------------------------------------------------------- commands

def _show(session: Session, args: argparse.Namespace, now: datetime, settings: ClaimsSettings) -> int:
    claim = _claim(session, args.claim)
    status = claim_status(session, claim, now=now, settings=settings)
    tz, money = settings.timezone, (lambda amount: format_money(amount, "en", settings.currency))
    holder = claim.policy.policyholder
    print(f"{status.claim_number}  {status.plate}  {holder.full_name}  policy {claim.policy.policy_number}")
    print(f"Stage: {status.stage.value} ({stage_label(status.stage, 'en')}) since "
          f"{format_date(status.stage_entered_at, 'en', tz)}; fast track: {'yes' if status.fast_track else 'no'}")
    print("Timeline:")
    for event in claim.stage_events:
        note = f"  ({event.note})" if event.note else ""
        print(f"  {format_date(event.occurred_at, 'en', tz):<12} {event.to_stage.value:<20} {event.actor}{note}")
    if status.next_stage is not None:
        due = (f", due {format_date(status.next_stage_due, 'en', tz)}"
               + (" (OVERDUE)" if status.overdue else "")) if status.next_stage_due else ""
        print(f"Next stage: {status.next_stage.value}{due}")
    adjuster = status.adjuster
    print(f"Adjuster: {adjuster.name}, {adjuster.phone}, {adjuster.email}" if adjuster else "Adjuster: none")
    if status.missing_items:
        print("Missing: " + ", ".join(checklist_label(item, "en") for item in status.missing_items))
    if claim.assessed_parts is not None:
        print("Figures:")
        figures = (("parts", claim.assessed_parts), ("labour", claim.assessed_labour),
                   ("depreciation", claim.depreciation), ("salvage", claim.salvage),
                   ("deductible applied", claim.deductible_applied), ("payout", claim.payout_amount))
        for name, amount in figures:
            print(f"  {name:<20} {money(amount) if amount is not None else '-':>20}")
    if claim.paid_at is not None:
        card = f" to the card ending {claim.payout_card_last4}" if claim.payout_card_last4 else ""
        print(f"Paid: {format_date(claim.paid_at, 'en', tz)}{card}")
    return 0


def _report_move(claim: Claim, from_stage: ClaimStage, to_stage: ClaimStage) -> None:
    print(f"{claim.claim_number}: {from_stage.value} -> {to_stage.value}")


def _advance(session: Session, args: argparse.Namespace, now: datetime, settings: ClaimsSettings) -> int:
    try:
        event = advance_claim(session, claim_number=args.claim, actor=ACTOR, now=now, note=args.note)
    except ClaimNotFound:
        raise Refused(f"no claim {args.claim!r}") from None
    _report_move(event.claim, event.from_stage, event.to_stage)
    return 0


def _move(session: Session, args: argparse.Namespace, now: datetime, settings: ClaimsSettings) -> int:
    stage = parse_stage(args.stage)
    claim = _claim(session, args.claim)
    event = move_claim_to_stage(session, claim=claim, to_stage=stage, actor=ACTOR, note=args.note, now=now)
    _report_move(claim, event.from_stage, event.to_stage)
    return 0


def _assess(session: Session, args: argparse.Namespace, now: datetime, settings: ClaimsSettings) -> int:
    amounts = {name: parse_amount(getattr(args, name), f"--{name}")
               for name in ("parts", "labour", "depreciation", "salvage")}
    claim = _claim(session, args.claim)
    breakdown = record_assessment(session, claim=claim, **amounts)
    print(f"{claim.claim_number}: assessed (deductible of the policy "
          f"{format_money(claim.policy.deductible, 'en', settings.currency)})")
    _print_breakdown(breakdown, settings.currency)
    return 0


def _pay(session: Session, args: argparse.Namespace, now: datetime, settings: ClaimsSettings) -> int:
    card_last4 = parse_card_last4(args.card_last4)
    claim = _claim(session, args.claim)
    from_stage = claim.stage
    event = record_payment(session, claim=claim, card_last4=card_last4, actor=ACTOR, note=args.note, now=now)
    _report_move(claim, from_stage, event.to_stage)
    print(f"paid {format_money(claim.payout_amount, 'en', settings.currency)} to the card ending {card_last4}")
    return 0


def _adjuster(session: Session, args: argparse.Namespace, now: datetime, settings: ClaimsSettings) -> int:
    name = args.name.strip()
    claim = _claim(session, args.claim)
    matches = list(session.scalars(select(Adjuster).where(func.lower(Adjuster.name) == name.lower())))
    if not matches:
        known = ", ".join(session.scalars(select(Adjuster.name).order_by(Adjuster.name))) or "none"
        raise Refused(f"no adjuster named {name!r}; adjusters: {known}")
    if len(matches) > 1:
        raise Refused(f"{len(matches)} adjusters are named {name!r}; ask IT to tell them apart")
    assign_adjuster(session, claim=claim, adjuster=matches[0])
    print(f"{claim.claim_number}: handled by {matches[0].name}")
    return 0


def _survey(session: Session, args: argparse.Namespace, now: datetime, settings: ClaimsSettings) -> int:
    claim = _claim(session, args.claim)
    if claim.paid_at is None:
        raise Refused(f"{claim.claim_number} is not paid yet: the survey asks about a paid claim")
    survey = invitations.survey_now(session, claim, now=now)
    if survey.status is not SurveyStatus.scheduled:
        raise Refused(f"{claim.claim_number} was surveyed already ({survey.status.value})")
    print(f"{claim.claim_number}: survey #{survey.id} is due now; the bot sends it within a minute "
          "(quiet hours, the customer's choices and a busy conversation still apply)")
    return 0


def _nps(session: Session, args: argparse.Namespace, now: datetime, settings: ClaimsSettings) -> int:
    try:
        period = parse_period(args.period, today=business_date(now, settings.timezone))
    except ValueError as error:
        raise Refused(str(error)) from None
    report = nps_report(session, period=period, tz=settings.timezone, branch=args.branch)
    print(report_text(report, "en", tz=settings.timezone))
    if args.chart:
        from claims.survey.chart import nps_chart_png  # matplotlib only when a chart is asked for

        Path(args.chart).write_bytes(nps_chart_png(report))
        print(f"chart: {args.chart}")
    return 0


Handler = Callable[[Session, argparse.Namespace, datetime, ClaimsSettings], int]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m claims.backoffice", description="Move claims on, assess them and pay them.",
    )
    url_help = "database URL (default: DATABASE_URL or the settings default)"
    parser.add_argument("--url", help=url_help)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--url", default=argparse.SUPPRESS, help=url_help)  # also accepted after COMMAND
        sub.add_argument("claim", metavar="CLAIM", help="claim number, e.g. CLM-2026-000024")
        sub.set_defaults(handler=handler)
        return sub

    command("show", _show, "show a claim's stage, timeline and figures")
    command("advance", _advance, "move a claim to its next stage").add_argument("--note")
    move = command("move", _move, "move a claim to a given stage")
    move.add_argument("stage", metavar="STAGE", help=", ".join(stage.value for stage in ClaimStage))
    move.add_argument("--note")
    assess = command("assess", _assess, "store the assessed figures; the payout is computed")
    assess.add_argument("--parts", required=True)
    assess.add_argument("--labour", required=True)
    assess.add_argument("--depreciation", default="0")
    assess.add_argument("--salvage", default="0")
    pay = command("pay", _pay, "mark an approved claim paid")
    pay.add_argument("--card-last4", required=True, help="last 4 digits of the customer's bank card")
    pay.add_argument("--note")
    command("adjuster", _adjuster, "set who handles a claim").add_argument("name", metavar="NAME")
    command("survey", _survey, "send the NPS survey about a paid claim now")
    nps = commands.add_parser("nps", help="the NPS report", description="the NPS report")
    nps.add_argument("--url", default=argparse.SUPPRESS, help=url_help)
    nps.add_argument("--period", help="2026-11, 2026-09..2026-11, 90d or all (default: the last 12 months)")
    nps.add_argument("--branch", help="one branch, e.g. Shanghai")
    nps.add_argument("--chart", help="also write the chart to this PNG file")
    nps.set_defaults(handler=_nps)
    return parser


def main(argv: Sequence[str] | None = None, *, now: datetime | None = None) -> int:
    """Run one command; returns the exit code (argparse's own errors too, instead of exiting)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help (0) or a usage error (2)
        return stop.code if isinstance(stop.code, int) else EXIT_REFUSED
    settings = get_settings()
    now = require_aware(now) if now is not None else utcnow()
    engine = make_engine(args.url or settings.database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            return args.handler(session, args, now, settings)
    except (Refused, IllegalTransition, ClaimNotAssessable, PaymentRefused) as refused:
        print(f"error: {refused}", file=sys.stderr)
        return EXIT_REFUSED
    except (OperationalError, ProgrammingError) as error:
        print(unusable_database_message(error), file=sys.stderr)
        return EXIT_DATABASE
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
