"""Settings shared by every process, read from the environment and an optional `.env` file."""
from __future__ import annotations

from datetime import time, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from claims.desk_hours import DEFAULT_DESK_HOURS, DailyHours, parse_week
from claims.enums import RoadsideStatus
from claims.quiet_hours import QuietHours
from claims.reminders.rules import ReminderRules, parse_days, parse_kinds
from claims.roadside.eligibility import RoadsideRules
from claims.survey.rules import SurveyRules, parse_quiet_hours

REPO_ROOT = Path(__file__).resolve().parent.parent

# Service target (days) for a claim to leave each stage; used for "on track / late" wording and reminders.
DEFAULT_STAGE_TARGETS_DAYS: dict[str, int] = {
    "reported": 1,
    "survey": 2,
    "loss_assessment": 3,
    "loss_review": 2,
    "adjustment": 2,
    "approval": 2,
    "awaiting_documents": 7,
    "paid": 3,
}


class ClaimsSettings(BaseSettings):
    """Settings of the claims domain; other packages subclass it to add their own fields."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str = "sqlite:///var/claims.db"
    business_timezone: str = "Asia/Shanghai"
    currency: str = "CNY"
    fast_track_limit: Decimal = Decimal("5000")
    upload_dir: Path = Path("var/uploads")
    max_upload_bytes: int = 10 * 1024 * 1024  # larger photos and files are refused
    min_photo_side_pixels: int = 320  # a photo whose shorter side is smaller shows too little
    stage_targets_days: dict[str, int] = Field(default_factory=lambda: dict(DEFAULT_STAGE_TARGETS_DAYS))
    verification_lock_minutes: int = 15
    verification_max_failures: int = 3
    # Average minutes an agent spends per handed-over case: the expected wait told to customers.
    handoff_minutes_per_case: int = 4
    # The agents' desk: opening hours per weekday in the business timezone ("closed" for none), and how
    # soon an agent should take a handed-over case, counting open desk time only.
    desk_hours: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_DESK_HOURS))
    first_response_target_seconds: int = 120
    # Stage changes older than this are not pushed (no flood of stale updates after downtime).
    stage_update_max_age_hours: int = 24
    # How long a bot process may hold a delivery it is sending before another one may take it over.
    delivery_lease_seconds: int = 60
    delivery_max_attempts: int = 5
    # Roadside assistance (claims.roadside): free calls per policy year, free towing distance to the nearest
    # partner garage and the price of each kilometre beyond it, the first status at which the customer can no
    # longer cancel (providers charge for a truck that is nearly there), and how many minutes an ETA must move
    # before the customer is told again.
    roadside_free_calls_per_year: int = 2
    roadside_tow_limit_km: Decimal = Decimal("50")
    roadside_price_per_extra_km: Decimal = Decimal("10")
    roadside_cancel_cutoff: RoadsideStatus = RoadsideStatus.approaching
    roadside_eta_change_minutes: int = 3
    # Dispatch retries: the back-off doubles from the first delay up to the longest; after the last attempt a
    # person takes the request over (the customer is told at the first failure, not left waiting in silence).
    roadside_dispatch_retry_seconds: float = 5.0
    roadside_dispatch_retry_max_seconds: float = 60.0
    roadside_dispatch_max_attempts: int = 8
    # The NPS survey (claims.survey): how long after a paid claim or a completed rescue it is sent, at most one
    # per person in how many days, never in the quiet hours (business time, "21:00-09:00"; "" for none), and how
    # long an unanswered survey stays open.
    survey_delay_seconds: int = 24 * 3600
    survey_per_person_days: int = 30
    survey_quiet_hours: str = "21:00-09:00"
    survey_answer_days: int = 7
    survey_busy_recheck_seconds: int = 600  # a customer busy in a form, a rescue or with an agent: look again then
    # Reminders (claims.reminders): which kinds the operator allows ("all", "none", or "documents,birthday"),
    # quiet hours, the time of day from which the dated ones and birthdays go out, the missing-documents
    # cadence, and how many days before a date the renewal, inspection and service reminders go out.
    reminder_kinds: str = "all"
    reminder_quiet_hours: str = "21:00-09:00"
    reminder_send_time: str = "10:00"
    reminder_documents_first_days: float = 2
    reminder_documents_every_days: float = 3
    reminder_documents_max: int = 3
    reminder_renewal_days: str = "30,7,1"
    reminder_inspection_days: str = "30,7,1"
    reminder_maintenance_days: str = "7,1"
    # Broadcast campaigns (claims.campaigns): a scheduled campaign whose start time passed longer ago than this
    # while nothing could send it (downtime) is not sent late; it expires and the operator decides.
    campaign_start_grace_seconds: int = 3600
    # The pace of proactive messages for the whole deployment: just under Telegram's ~30 a second per bot, with
    # room for the conversations' own replies. One process sends them (the scheduler's lease holder).
    campaign_rate_per_second: float = Field(default=28.0, gt=0)

    @field_validator("database_url")
    @classmethod
    def _anchor_sqlite_path(cls, value: str) -> str:
        # A relative SQLite path means "relative to the repo root", whatever the working directory.
        prefix = "sqlite:///"
        if value.startswith(prefix) and not value.startswith(prefix + "/"):
            relative = value[len(prefix):]
            if relative and relative != ":memory:":
                return prefix + str(REPO_ROOT / relative)
        return value

    @field_validator("upload_dir")
    @classmethod
    def _anchor_upload_dir(cls, value: Path) -> Path:
        return value if value.is_absolute() else REPO_ROOT / value

    @field_validator("business_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)  # fail at start-up rather than mid-conversation
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown timezone {value!r}") from error
        return value

    @field_validator("desk_hours")
    @classmethod
    def _valid_desk_hours(cls, value: dict[str, str]) -> dict[str, str]:
        parse_week(value)  # a typo in the opening hours fails at start-up, not when a customer asks
        return value

    @field_validator("survey_quiet_hours")
    @classmethod
    def _valid_quiet_hours(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    @field_validator("reminder_quiet_hours")
    @classmethod
    def _valid_reminder_quiet_hours(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value

    @field_validator("reminder_kinds")
    @classmethod
    def _valid_reminder_kinds(cls, value: str) -> str:
        parse_kinds(value)
        return value

    @field_validator("reminder_renewal_days", "reminder_inspection_days", "reminder_maintenance_days")
    @classmethod
    def _valid_reminder_days(cls, value: str) -> str:
        parse_days(value)
        return value

    @field_validator("reminder_send_time")
    @classmethod
    def _valid_send_time(cls, value: str) -> str:
        time.fromisoformat(value.strip())
        return value

    @property
    def reminder_rules(self) -> ReminderRules:
        """The reminders' parameters."""
        return ReminderRules(
            timezone=self.timezone, quiet_hours=QuietHours.parse(self.reminder_quiet_hours, self.timezone),
            send_time=time.fromisoformat(self.reminder_send_time.strip()),
            documents_first=timedelta(days=self.reminder_documents_first_days),
            documents_every=timedelta(days=self.reminder_documents_every_days),
            documents_max=self.reminder_documents_max,
            renewal_days=parse_days(self.reminder_renewal_days),
            inspection_days=parse_days(self.reminder_inspection_days),
            maintenance_days=parse_days(self.reminder_maintenance_days),
            enabled=parse_kinds(self.reminder_kinds))

    @property
    def survey_rules(self) -> SurveyRules:
        """The survey's timing parameters."""
        start, end = parse_quiet_hours(self.survey_quiet_hours)
        return SurveyRules(delay=timedelta(seconds=self.survey_delay_seconds),
                           per_person=timedelta(days=self.survey_per_person_days), quiet_start=start, quiet_end=end,
                           timezone=self.timezone, answer_window=timedelta(days=self.survey_answer_days),
                           busy_recheck=timedelta(seconds=self.survey_busy_recheck_seconds))

    @property
    def roadside_rules(self) -> RoadsideRules:
        """The eligibility rule's parameters."""
        return RoadsideRules(free_calls_per_year=self.roadside_free_calls_per_year,
                             tow_limit_km=self.roadside_tow_limit_km,
                             price_per_extra_km=self.roadside_price_per_extra_km)

    @property
    def desk_week(self) -> dict[int, DailyHours | None]:
        """The desk's opening hours by weekday number (0 = Monday)."""
        return parse_week(self.desk_hours)

    @property
    def timezone(self) -> ZoneInfo:
        """The business timezone as a tzinfo."""
        return ZoneInfo(self.business_timezone)


@lru_cache(maxsize=1)
def get_settings() -> ClaimsSettings:
    """The process-wide settings, read once."""
    return ClaimsSettings()
