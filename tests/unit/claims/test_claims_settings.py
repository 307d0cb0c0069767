"""Settings from the environment."""
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import ValidationError

from claims.settings import REPO_ROOT, ClaimsSettings, get_settings


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no developer's .env
    for name in ("DATABASE_URL", "BUSINESS_TIMEZONE", "FAST_TRACK_LIMIT", "UPLOAD_DIR", "STAGE_TARGETS_DAYS"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_defaults_are_anchored_at_the_repo_root(clean_env):
    settings = ClaimsSettings()
    assert settings.database_url == f"sqlite:///{REPO_ROOT / 'var' / 'claims.db'}"
    assert settings.upload_dir == REPO_ROOT / "var" / "uploads"
    assert settings.fast_track_limit == Decimal("5000")
    assert settings.stage_targets_days["loss_assessment"] == 3
    assert settings.stage_targets_days["awaiting_documents"] == 7
    assert settings.timezone.key == "Asia/Shanghai"
    assert (settings.verification_lock_minutes, settings.verification_max_failures) == (15, 3)


def test_environment_and_dotenv_override(clean_env, tmp_path):
    (tmp_path / ".env").write_text("FAST_TRACK_LIMIT=3000.50\nSOMETHING_ELSE=ignored\n")
    clean_env.setenv("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    clean_env.setenv("STAGE_TARGETS_DAYS", '{"survey": 1}')
    settings = ClaimsSettings()
    assert settings.fast_track_limit == Decimal("3000.50")
    assert settings.database_url == "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    assert settings.stage_targets_days == {"survey": 1}


def test_absolute_sqlite_paths_and_unknown_timezones(clean_env):
    assert ClaimsSettings(database_url="sqlite:////tmp/x.db").database_url == "sqlite:////tmp/x.db"
    assert ClaimsSettings(upload_dir=Path("/srv/uploads")).upload_dir == Path("/srv/uploads")
    with pytest.raises(ValidationError):
        ClaimsSettings(business_timezone="Mars/Olympus")


def test_subclasses_add_their_own_fields(clean_env):
    class BotSettings(ClaimsSettings):
        telegram_token: str = "none"

    clean_env.setenv("TELEGRAM_TOKEN", "123:abc")
    assert BotSettings().telegram_token == "123:abc"


def test_get_settings_is_cached():
    assert get_settings() is get_settings()
