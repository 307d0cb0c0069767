"""Settings of the Telegram front end, from the environment (see .env.example)."""
from __future__ import annotations

from functools import lru_cache

from pydantic import SecretStr

from claims.settings import ClaimsSettings


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
    # Longer messages are answered by the bot itself instead of going to the NLU.
    max_message_chars: int = 1500
    # Photos of one album arrive as separate updates; wait this long to treat them as one batch.
    album_wait_seconds: float = 1.2
    poll_timeout_seconds: int = 10
    # How often stage changes are looked for and pushed (the target is within a minute).
    stage_update_interval_seconds: float = 15.0

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
