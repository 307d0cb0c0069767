"""Settings of the Telegram front end, from the environment (see .env.example)."""
from __future__ import annotations

from functools import lru_cache

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode

from claims.settings import REPO_ROOT, ClaimsSettings


class BotSettings(ClaimsSettings):
    """Everything the front end needs; secrets only from the environment."""

    telegram_bot_token: SecretStr | None = None
    # Like a self-hosted Bot API server; the tests and the local chat point it at the simulator.
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_file_url: str | None = None
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 20.0
    rasa_auth_token: SecretStr | None = None  # when Rasa runs with --auth-token (docker-compose)
    # Longer messages are answered by the bot itself instead of going to the NLU.
    max_message_chars: int = 1500
    # Photos of one album arrive as separate updates; wait this long to treat them as one batch.
    album_wait_seconds: float = 1.2
    poll_timeout_seconds: int = 10
    # How often stage changes are looked for and pushed (the target is within a minute).
    stage_update_interval_seconds: float = 15.0
    # How often due NPS surveys are looked for and sent (the delay itself is SURVEY_DELAY_SECONDS); 0: off.
    survey_interval_seconds: float = 30.0
    # The scheduler (bot/scheduler.py): whether this process may hold its lease (false: a process that only
    # converses), how long a lease lasts and how often it is renewed, how late a missed job may still run, how
    # often reminders are planned and campaigns started, and how long the outbox sender rests when idle.
    scheduler_enabled: bool = True
    scheduler_lease_seconds: float = 20.0
    scheduler_renew_seconds: float = 5.0
    scheduler_misfire_grace_seconds: int = 3600
    reminder_interval_seconds: float = 300.0
    campaign_poll_seconds: float = 5.0
    outbox_idle_seconds: float = 1.0
    # The agents' console: a forum supergroup where each handed-over conversation gets a topic. Only the
    # Telegram user ids listed in AGENT_IDS (and still members of the group) may act on cases.
    agents_chat_id: int | None = None
    agent_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)
    agents_language: str = "en"  # the console's wording; customers are always answered in their own
    canned_replies_file: Path = REPO_ROOT / "config/canned_replies.yml"
    # How often the desk looks for cases without a topic and for missed first-response targets.
    desk_sweep_interval_seconds: float = 5.0

    # Roadside dispatch (bot/roadside.py): the provider's API, how often open rescues are polled, how often the
    # live location may move (Telegram paces edits; every few seconds is smooth enough on a map) and for how
    # long the live location is shared at most.
    roadside_provider_url: str | None = None
    roadside_provider_api_key: SecretStr | None = None
    roadside_provider_name: str = "Anda Roadside"
    roadside_provider_timeout_seconds: float = 10.0
    roadside_poll_seconds: float = 5.0
    roadside_live_edit_seconds: float = 10.0
    roadside_live_period_seconds: int = 3600

    @field_validator("agent_ids", mode="before")
    @classmethod
    def _agent_id_list(cls, value: object) -> object:
        # "111,222" or "[111, 222]" in the environment; a list when built in code.
        if isinstance(value, str):
            return [int(part) for part in value.strip("[] ").replace(" ", "").split(",") if part]
        return value

    @field_validator("scheduler_renew_seconds")
    @classmethod
    def _renew_well_before_expiry(cls, value: float, info) -> float:
        lease = info.data.get("scheduler_lease_seconds", 20.0)
        if not 0 < value < lease:
            raise ValueError("SCHEDULER_RENEW_SECONDS must be positive and shorter than SCHEDULER_LEASE_SECONDS")
        return value

    @property
    def file_url(self) -> str:
        """Base URL for file downloads, derived from the API URL when not set."""
        if self.telegram_file_url:
            return self.telegram_file_url
        return self.telegram_api_url.replace("/bot", "/file/bot", 1)


@lru_cache(maxsize=1)
def get_bot_settings() -> BotSettings:
    """The process-wide settings."""
    return BotSettings()
