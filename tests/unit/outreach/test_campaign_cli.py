"""`python -m claims.campaigns`: the operator's dry run, creating, watching the status, pausing, resuming and
cancelling, and refusals with exit code 2 and `error:` on stderr."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from claims.campaigns import cli
from claims.campaigns.service import start_due_campaigns
from claims.enums import CampaignKind, CampaignStatus, DeliveryKind, DeliveryStatus, Language
from claims.models import Campaign, Delivery
from claims.services.deliveries import claim_due_deliveries, mark_delivered, mark_failed, mark_skipped
from claims.settings import ClaimsSettings
from tests.factories import make_campaign, make_linked_policyholder, make_policy, make_vehicle


@pytest.fixture
def run(database_url, session, now, monkeypatch):
    """Run the tool on the test database as an operator would (its own connection), with the default settings
    whatever the environment says."""
    settings = ClaimsSettings(_env_file=None, database_url=database_url, business_timezone="Asia/Shanghai",
                              campaign_rate_per_second=28.0)
    monkeypatch.setattr(cli, "get_settings", lambda: settings)

    def run_tool(*argv: str, at: datetime = now) -> int:
        session.commit()  # no open transaction of the test in the way
        code = cli.main(["--url", database_url, *argv], now=at)
        session.expire_all()
        return code

    return run_tool


def customer(session, *, city="Shanghai", language=Language.en, **holder):
    holder = make_linked_policyholder(session, city=city, preferred_language=language, **holder)
    make_vehicle(session, policy=make_policy(session, policyholder=holder))
    return holder


def campaigns(session) -> list[Campaign]:
    return list(session.scalars(select(Campaign).order_by(Campaign.id)))


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def created_id(out: str) -> int:
    assert out.startswith("campaign ")
    return int(out.split()[1])


# ------------------------------------------------------------------------------------------ dry run

def test_a_dry_run_prints_the_audience_a_masked_sample_and_the_texts_and_creates_nothing(run, session, capsys):
    li = customer(session, full_name="Li Wei")
    zhang = customer(session, full_name="Zhang Min", language=Language.zh)
    customer(session, city="Beijing")
    assert run("create", "--name", "Typhoon Haikui", "--weather", "typhoon", "--city", "Shanghai", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "dry run: 'Typhoon Haikui' to 2 customers (city Shanghai, active policies); en 1, zh 1" in out
    assert f"  sample: policyholder #{li.id} L***** (en)" in out
    assert f"  sample: policyholder #{zhang.id} Z******** (zh)" in out
    assert "Li Wei" not in out and "Zhang Min" not in out  # names masked
    assert "--- en ---\n⚠️ Typhoon warning for Shanghai\n" in out
    assert "--- zh ---\n⚠️ 上海台风预警\n" in out
    assert "nothing was created (drop --dry-run to create it)" in out
    assert count(session, Campaign) == 0 and count(session, Delivery) == 0


def test_a_dry_run_shows_the_button_and_the_send_time(run, session, capsys):
    customer(session)
    assert run("create", "--name", "Notice", "--text-en", "Roads are icy.", "--text-zh", "道路结冰。",
               "--button-en", "Roadside help", "--button-zh", "道路救援",
               "--button-intent", "request_roadside_assistance", "--at", "2026-12-05T08:00", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "dry run: 'Notice' to 1 customer (every city, active policies); en 1, zh 0" in out
    assert "would be sent from 2026-12-05T08:00+08:00" in out
    assert "--- en ---\nRoads are icy.\n--- zh ---\n道路结冰。\n" in out
    assert "--- button --- [Roadside help] / [道路救援] -> starts request_roadside_assistance" in out
    assert count(session, Campaign) == 0


def test_a_dry_run_refuses_what_creating_would(run, session, capsys):
    assert run("create", "--name", "Notice", "--text-en", "Hello", "--dry-run") == 2
    assert "error: the Chinese text is empty" in capsys.readouterr().err
    assert count(session, Campaign) == 0


# ---------------------------------------------------------------------------- create and status

def test_create_stores_a_scheduled_campaign_sent_now(run, session, now, capsys):
    assert run("create", "--name", "Notice", "--text-en", "Hello", "--text-zh", "你好", "--created-by", "ops-li") == 0
    out = capsys.readouterr().out.strip()
    (campaign,) = campaigns(session)
    assert out == f"campaign {campaign.id} 'Notice' created: sent now to every city, active policies"
    assert (campaign.status, campaign.kind, campaign.send_at, campaign.text_en, campaign.text_zh,
            campaign.created_by) == (CampaignStatus.scheduled, CampaignKind.message, now, "Hello", "你好", "ops-li")
    assert count(session, Delivery) == 0  # the bot's scheduler starts it


def test_create_at_a_business_time_or_with_an_offset(run, session, capsys):
    assert run("create", "--name", "Later", "--text-en", "Hi", "--text-zh", "嗨", "--at", "2026-12-05T08:00") == 0
    assert "created: sent 2026-12-05T08:00+08:00 to every city" in capsys.readouterr().out
    assert run("create", "--name", "In UTC", "--text-en", "Hi", "--text-zh", "嗨",
               "--at", "2026-12-05T08:00+00:00") == 0
    assert "created: sent 2026-12-05T16:00+08:00 to every city" in capsys.readouterr().out
    later, in_utc = campaigns(session)
    assert later.send_at == datetime(2026, 12, 5, 0, 0, tzinfo=timezone.utc)
    assert in_utc.send_at == datetime(2026, 12, 5, 8, 0, tzinfo=timezone.utc)


def test_create_a_weather_warning_for_an_audience(run, session, capsys):
    assert run("create", "--name", "Typhoon", "--weather", "typhoon", "--city", "shanghai", "--policy-status", "any",
               "--min-vehicle-age", "2", "--max-vehicle-age", "10", "--language", "zh",
               "--starts-at", "2026-12-05T08:00") == 0
    assert ("created: sent now to city shanghai, any policy, vehicles 2-10 years old, language zh"
            in capsys.readouterr().out)
    (campaign,) = campaigns(session)
    assert campaign.kind is CampaignKind.weather_warning
    assert campaign.audience == {"city": "shanghai", "policy_status": None, "min_vehicle_age": 2,
                                 "max_vehicle_age": 10, "language": "zh"}
    assert campaign.text_en.startswith("⚠️ Typhoon warning for Shanghai from 08:00 on 5 Dec 2026\n")
    assert campaign.text_zh.startswith("⚠️ 上海台风预警（2026年12月5日 08:00起）\n")


def test_status_prints_sent_failed_skipped_and_remaining(run, session, now, capsys):
    for _ in range(4):
        customer(session)
    assert run("create", "--name", "Notice", "--text-en", "Hello", "--text-zh", "你好",
               at=now - timedelta(minutes=1)) == 0
    campaign_id = created_id(capsys.readouterr().out)
    start = now - timedelta(minutes=1)
    assert start_due_campaigns(session, now=start, grace=timedelta(hours=1)) == [campaign_id]  # as the bot would
    sent, failed, skipped = claim_due_deliveries(session, now=start, limit=3, kinds=(DeliveryKind.broadcast,))
    mark_delivered(session, sent.id, telegram_message_id=7, now=now - timedelta(seconds=10))
    mark_failed(session, failed.id, error="Forbidden: bot was blocked by the user", now=start, permanent=True)
    mark_skipped(session, skipped.id, reason="blocked", now=start)
    assert run("status", str(campaign_id)) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"campaign {campaign_id} 'Notice': running; sent 1, failed 1, skipped 1, remaining 1; ")
    assert out.endswith("0.0/s, ETA 0:00:30")  # 1 in the last 30 s: the last one in 30 s


def test_status_of_a_campaign_not_started_yet(run, session, capsys):
    campaign = make_campaign(session, name="Later")
    assert run("status", str(campaign.id)) == 0
    assert capsys.readouterr().out.strip() == (
        f"campaign {campaign.id} 'Later': scheduled; sent 0, failed 0, skipped 0, remaining 0; 0.0/s, ETA 0:00:00")


def test_list_shows_the_newest_first_in_business_time(run, session, now, capsys):
    older = make_campaign(session, name="Older", send_at=now)
    newer = make_campaign(session, name="Newer", status=CampaignStatus.done, audience_size=12, send_at=now)
    assert run("list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{newer.id:>5}  done       2026-11-20 10:30      12  Newer",
                     f"{older.id:>5}  scheduled  2026-11-20 10:30       -  Older"]


# --------------------------------------------------------------------------- pause, resume, cancel

def test_pause_resume_and_cancel(run, session, now, capsys):
    customer(session)
    customer(session)
    campaign = make_campaign(session, send_at=now)
    start_due_campaigns(session, now=now, grace=timedelta(hours=1))
    assert run("pause", str(campaign.id)) == 0
    assert capsys.readouterr().out.strip() == f"campaign {campaign.id}: paused"
    assert session.get(Campaign, campaign.id).status is CampaignStatus.paused
    assert run("resume", str(campaign.id)) == 0
    assert capsys.readouterr().out.strip() == f"campaign {campaign.id}: running"
    assert run("cancel", str(campaign.id)) == 0
    assert capsys.readouterr().out.strip() == f"campaign {campaign.id}: cancelled"
    stored = session.get(Campaign, campaign.id)
    assert (stored.status, stored.finished_at) == (CampaignStatus.cancelled, now)
    statuses = session.scalars(select(Delivery.status).where(Delivery.campaign_id == campaign.id)).all()
    assert statuses == [DeliveryStatus.skipped, DeliveryStatus.skipped]


def test_an_illegal_move_is_refused_with_exit_code_2(run, session, capsys):
    campaign = make_campaign(session, status=CampaignStatus.running)
    assert run("resume", str(campaign.id)) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == f"error: campaign {campaign.id} is running: it cannot be resumed"
    assert captured.out == ""
    done = make_campaign(session, status=CampaignStatus.done)
    assert run("pause", str(done.id)) == 2
    assert f"error: campaign {done.id} is done: it cannot be paused" in capsys.readouterr().err
    assert session.get(Campaign, campaign.id).status is CampaignStatus.running


# --------------------------------------------------------------------------------------- refusals

@pytest.mark.parametrize("argv, says", [
    (["status", "999999"], "error: no campaign 999999"),
    (["pause", "999999"], "error: no campaign 999999"),
    (["create", "--name", "Typhoon", "--weather", "typhoon"], "error: a weather warning needs --city"),
    (["create", "--name", "Typhoon", "--weather", "typhoon", "--city", "Shanghai", "--text-en", "Hi"],
     "error: a weather warning is worded by its template"),
    (["create", "--name", "Notice", "--text-en", "Hi", "--text-zh", "嗨", "--at", "tomorrow"],
     "error: a time looks like 2026-12-05T08:00, not 'tomorrow'"),
    (["create", "--name", "Notice", "--text-en", "Hi", "--text-zh", "嗨", "--min-vehicle-age", "9",
      "--max-vehicle-age", "3"], "error: the youngest vehicle age is above the oldest"),
    (["create", "--name", "Notice", "--text-en", "Hi", "--text-zh", "嗨", "--button-en", "Go", "--button-zh", "去",
      "--button-url", "ftp://example.cn"], "error: the button link must start with https://"),
    (["create", "--name", "Notice", "--text-en", "", "--text-zh", "嗨"], "error: the English text is empty"),
    (["create", "--name", "Notice", "--text-en", "Hi", "--text-zh", "嗨", "--at", "2026-01-05T08:00"],
     "error: 2026-01-05T08:00+08:00 has passed"),
])
def test_bad_input_exits_2_with_an_error_on_stderr(run, session, capsys, argv, says):
    assert run(*argv) == 2
    captured = capsys.readouterr()
    assert says in captured.err and captured.err.startswith("error: ")
    assert count(session, Campaign) == 0


@pytest.mark.parametrize("argv", [
    ["create", "--name", "Storm", "--weather", "tornado", "--city", "Shanghai"],  # not a hazard
    ["create", "--text-en", "Hi", "--text-zh", "嗨"],  # no --name
    ["status", "seven"],
    ["restart", "1"],
    [],
])
def test_what_the_parser_refuses_exits_2_with_an_error_on_stderr(run, session, capsys, argv):
    assert run(*argv) == 2
    assert "error:" in capsys.readouterr().err
    assert count(session, Campaign) == 0


def test_a_database_that_cannot_be_used_exits_1(run, tmp_path, now, capsys):
    empty = f"sqlite:///{tmp_path / 'not-migrated.db'}"
    assert cli.main(["--url", empty, "list"], now=now) == 1
    assert "error: the database could not be used" in capsys.readouterr().err


def test_a_naive_now_is_refused(database_url):
    with pytest.raises(ValueError):
        cli.main(["--url", database_url, "list"], now=datetime(2026, 11, 20, 10, 30))
