"""Operators' command line for broadcast campaigns: `python -m claims.campaigns COMMAND`.

    create --name N (--text-en T --text-zh T | --weather HAZARD --city C [--starts-at TIME])
           [--city C] [--policy-status active|expired|cancelled|any] [--min-vehicle-age N] [--max-vehicle-age N]
           [--language en|zh] [--button-en T --button-zh T (--button-url URL | --button-intent INTENT)]
           [--at TIME] [--dry-run] [--watch]
                       a campaign, sent now or at TIME; --dry-run prints the audience and the texts only
    list               the campaigns, newest first
    status ID [--watch]    sent / failed / skipped / remaining, rate and ETA (--watch: a live progress bar)
    pause ID | resume ID | cancel ID

The running bot that holds the scheduler's lease sends it (bot/outbox.py), at Telegram's pace. TIME is ISO
8601, e.g. 2026-12-05T08:00 (business time unless it carries an offset). Exit codes: 0 done, 2 refused, 1 the
database could not be used.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from claims.campaigns import BUTTON_INTENTS
from claims.campaigns.audience import AudienceFilter, audience_rows
from claims.campaigns.service import (
    CampaignDraft, CampaignError, campaign_progress, create_campaign, move_campaign,
)
from claims.campaigns.templates import HAZARDS, weather_warning
from claims.clock import business_date, require_aware, utcnow
from claims.db import make_engine, make_session_factory, session_scope, unusable_database_message
from claims.enums import CampaignKind, CampaignStatus, Language, PolicyStatus
from claims.models import Campaign, Policyholder
from claims.settings import get_settings

EXIT_REFUSED = 2
EXIT_DATABASE = 1
SAMPLE_SIZE = 5
_FINAL = (CampaignStatus.done, CampaignStatus.cancelled, CampaignStatus.expired)


def parse_time(text: str, tz: tzinfo) -> datetime:
    """ISO 8601; without an offset it is business time."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CampaignError(f"a time looks like 2026-12-05T08:00, not {text!r}") from None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _audience(args: argparse.Namespace) -> AudienceFilter:
    status = None if args.policy_status == "any" else PolicyStatus(args.policy_status)
    try:
        return AudienceFilter(city=args.city, policy_status=status, min_vehicle_age=args.min_vehicle_age,
                              max_vehicle_age=args.max_vehicle_age,
                              language=Language(args.language) if args.language else None)
    except ValueError as error:
        raise CampaignError(str(error)) from None


def _draft(args: argparse.Namespace, now: datetime, tz: tzinfo) -> CampaignDraft:
    audience = _audience(args)
    send_at = parse_time(args.at, tz) if args.at else now
    if send_at < now - timedelta(minutes=1):
        raise CampaignError(f"{send_at.isoformat(timespec='minutes')} has passed: give a time to come, or none for now")
    if args.weather:
        if not args.city:
            raise CampaignError("a weather warning needs --city")
        if args.text_en or args.text_zh:
            raise CampaignError("a weather warning is worded by its template: no --text-en / --text-zh")
        try:
            texts = weather_warning(args.weather, args.city, tz=tz,
                                    starts_at=parse_time(args.starts_at, tz) if args.starts_at else None)
        except ValueError as error:
            raise CampaignError(str(error)) from None
        kind, text_en, text_zh = CampaignKind.weather_warning, texts[Language.en], texts[Language.zh]
    else:
        kind, text_en, text_zh = CampaignKind.message, args.text_en or "", args.text_zh or ""
    return CampaignDraft(name=args.name, text_en=text_en, text_zh=text_zh, audience=audience, send_at=send_at,
                         kind=kind, button_en=args.button_en, button_zh=args.button_zh, button_url=args.button_url,
                         button_intent=args.button_intent, created_by=args.created_by)


def _masked_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1) if name else "?"


def _print_dry_run(session: Session, draft: CampaignDraft, now: datetime, rate: float, tz: tzinfo) -> None:
    rows = audience_rows(session, draft.audience, today=business_date(now, get_settings().timezone))
    languages = Counter(language.value for _, _, language in rows)
    customers = f"{len(rows)} customer" + ("" if len(rows) == 1 else "s")
    print(f"dry run: {draft.name!r} to {customers} ({draft.audience.describe()}); "
          f"en {languages.get('en', 0)}, zh {languages.get('zh', 0)}")
    print(f"would be sent from {draft.send_at.astimezone(tz).isoformat(timespec='minutes')}; at {rate:g} a second "
          "that takes "
          f"{timedelta(seconds=round(len(rows) / rate))}")
    names = dict(session.execute(select(Policyholder.id, Policyholder.full_name)
                                 .where(Policyholder.id.in_([holder for holder, _, _ in rows[:SAMPLE_SIZE]]))).all())
    for holder, _, language in rows[:SAMPLE_SIZE]:
        print(f"  sample: policyholder #{holder} {_masked_name(names.get(holder, ''))} ({language.value})")
    for label, text in (("en", draft.text_en), ("zh", draft.text_zh)):
        print(f"--- {label} ---\n{text}")
    if draft.button_en:
        target = draft.button_url or f"starts {draft.button_intent}"
        print(f"--- button --- [{draft.button_en}] / [{draft.button_zh}] -> {target}")
    print("nothing was created (drop --dry-run to create it)")


def _status_line(progress) -> str:
    campaign = progress.campaign
    eta = "-" if progress.eta is None else str(timedelta(seconds=round(progress.eta.total_seconds())))
    return (f"campaign {campaign.id} {campaign.name!r}: {campaign.status.value}; sent {progress.sent}, failed "
            f"{progress.failed}, skipped {progress.skipped}, remaining {progress.remaining}; "
            f"{progress.rate_per_second:.1f}/s, ETA {eta}")


def watch(sessions, campaign_id: int, *, poll_seconds: float = 1.0, stream=None) -> CampaignStatus:
    """A live progress bar until the campaign is done, cancelled or expired (Ctrl-C stops watching only)."""
    from tqdm import tqdm  # only when watching

    bar = None
    try:
        while True:
            with session_scope(sessions) as session:
                progress = campaign_progress(session, campaign_id, now=utcnow())
            status = progress.campaign.status
            if bar is None and status is not CampaignStatus.scheduled:
                bar = tqdm(total=progress.total, unit="msg", desc=f"campaign {campaign_id}", file=stream or sys.stderr,
                           dynamic_ncols=True)
            if bar is not None:
                bar.total = progress.total
                bar.n = progress.sent + progress.failed + progress.skipped
                bar.set_postfix(sent=progress.sent, failed=progress.failed, skipped=progress.skipped,
                                left=progress.remaining, rate=f"{progress.rate_per_second:.1f}/s", refresh=False)
                bar.refresh()
            if status in _FINAL:
                return status
            time.sleep(poll_seconds)
    except KeyboardInterrupt:
        return CampaignStatus.running
    finally:
        if bar is not None:
            bar.close()


def _create(session: Session, args, now: datetime, tz: tzinfo) -> int:
    draft = _draft(args, now, tz)
    if args.dry_run:
        from claims.campaigns.service import check_draft

        check_draft(draft)
        _print_dry_run(session, draft, now, get_settings().campaign_rate_per_second, tz)
        return 0
    campaign = create_campaign(session, draft, now=now)
    args.id = campaign.id  # watched with --watch
    when = "now" if campaign.send_at <= now else campaign.send_at.astimezone(tz).isoformat(timespec="minutes")
    print(f"campaign {campaign.id} {campaign.name!r} created: sent {when} to {draft.audience.describe()}")
    return 0


def _list(session: Session, args, now: datetime, tz: tzinfo) -> int:
    for campaign in session.scalars(select(Campaign).order_by(Campaign.id.desc()).limit(50)):
        print(f"{campaign.id:>5}  {campaign.status.value:<9}  {campaign.send_at.astimezone(tz):%Y-%m-%d %H:%M}  "
              f"{campaign.audience_size if campaign.audience_size is not None else '-':>6}  {campaign.name}")
    return 0


def _status(session: Session, args, now: datetime, tz: tzinfo) -> int:
    print(_status_line(campaign_progress(session, args.id, now=now)))
    return 0


def _mover(action: str):
    def run(session: Session, args, now: datetime, tz: tzinfo) -> int:
        campaign = move_campaign(session, args.id, action, now=now)
        print(f"campaign {campaign.id}: {campaign.status.value}")
        return 0
    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m claims.campaigns", description="Broadcast campaigns.")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    create = commands.add_parser("create", help="create a campaign (or --dry-run)")
    create.add_argument("--name", required=True)
    create.add_argument("--text-en")
    create.add_argument("--text-zh")
    create.add_argument("--weather", choices=sorted(HAZARDS), help="a weather warning from its template")
    create.add_argument("--starts-at", help="when the weather arrives (for the warning's text)")
    create.add_argument("--city")
    create.add_argument("--policy-status", default="active", choices=[s.value for s in PolicyStatus] + ["any"])
    create.add_argument("--min-vehicle-age", type=int)
    create.add_argument("--max-vehicle-age", type=int)
    create.add_argument("--language", choices=[language.value for language in Language])
    create.add_argument("--button-en")
    create.add_argument("--button-zh")
    create.add_argument("--button-url")
    create.add_argument("--button-intent", choices=BUTTON_INTENTS)
    create.add_argument("--at", help="send at this time (default: now)")
    create.add_argument("--created-by")
    create.add_argument("--dry-run", action="store_true")
    create.add_argument("--watch", action="store_true", help="then show its progress until it is done")
    create.set_defaults(handler=_create)
    commands.add_parser("list", help="the campaigns").set_defaults(handler=_list)
    status = commands.add_parser("status", help="a campaign's progress")
    status.add_argument("id", type=int)
    status.add_argument("--watch", action="store_true")
    status.set_defaults(handler=_status)
    for action in ("pause", "resume", "cancel"):
        sub = commands.add_parser(action, help=f"{action} a campaign")
        sub.add_argument("id", type=int)
        sub.set_defaults(handler=_mover(action))
    return parser


def main(argv: Sequence[str] | None = None, *, now: datetime | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else EXIT_REFUSED
    settings = get_settings()
    now = require_aware(now) if now is not None else utcnow()
    engine = make_engine(args.url or settings.database_url)
    sessions = make_session_factory(engine)
    try:
        with session_scope(sessions) as session:
            code = args.handler(session, args, now, settings.timezone)
            watched = getattr(args, "id", None)
        if code == 0 and getattr(args, "watch", False) and watched is not None:
            final = watch(sessions, watched)
            with session_scope(sessions) as session:
                print(_status_line(campaign_progress(session, watched, now=utcnow())))
            return 0 if final in _FINAL else code
        return code
    except CampaignError as refused:
        print(f"error: {refused}", file=sys.stderr)
        return EXIT_REFUSED
    except (OperationalError, ProgrammingError) as error:
        print(unusable_database_message(error), file=sys.stderr)
        return EXIT_DATABASE
    finally:
        engine.dispose()
