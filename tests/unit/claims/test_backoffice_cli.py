"""`python -m claims.backoffice`: moving claims on, assessing and paying them, with exit code 2 on refusal."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from claims.backoffice import main, parse_amount, Refused
from claims.models import Claim, ClaimStageEvent
from claims.stages import ClaimStage as S
from tests.factories import make_adjuster, make_claim, make_policy, make_vehicle


@pytest.fixture
def run(database_url, session, now):
    """Run the tool on the test database, as the back office would (its own connection)."""

    def run_tool(*argv: str) -> int:
        session.commit()  # no open transaction of the test in the way
        code = main(["--url", database_url, *argv], now=now)
        session.expire_all()
        return code

    return run_tool


def reload(session, claim) -> Claim:
    return session.get(Claim, claim.id)


def test_show_prints_stage_timeline_figures_and_payment(run, session, now, capsys):
    adjuster = make_adjuster(session, name="李静")
    claim = make_claim(session, stage=S.paid, now=now - timedelta(days=1), adjuster=adjuster,
                       assessed_parts=Decimal("8000"), assessed_labour=Decimal("2400.5"),
                       deductible_applied=Decimal("500"), payout_amount=Decimal("9900.5"),
                       paid_at=now - timedelta(days=1), payout_card_last4="0123")
    assert run("show", claim.claim_number.lower()) == 0
    out = capsys.readouterr().out
    assert claim.claim_number in out and "Stage: paid (Paid)" in out
    assert "reported" in out and "Adjuster: 李静" in out
    assert "CNY 8,000.00" in out and "CNY 9,900.50" in out
    assert "Paid: 19 Nov 2026 to the card ending 0123" in out  # business timezone, last 4 digits only


def test_show_lists_whats_missing_and_when_the_next_stage_is_due(run, session, now, capsys):
    claim = make_claim(session, stage=S.survey, now=now - timedelta(days=3))
    assert run("show", claim.claim_number) == 0
    out = capsys.readouterr().out
    assert "Next stage: loss_assessment, due 19 Nov 2026 (OVERDUE)" in out
    assert "Missing: Photo of the front-left corner" in out and "Adjuster: none" in out


def test_advance_moves_to_the_next_stage_with_a_note(run, session, now, capsys):
    claim = make_claim(session, now=now - timedelta(hours=1))
    assert run("advance", claim.claim_number, "--note", "surveyor booked") == 0
    assert capsys.readouterr().out.strip() == f"{claim.claim_number}: reported -> survey"
    stored = reload(session, claim)
    assert (stored.stage, stored.stage_changed_at) == (S.survey, now)
    last = stored.stage_events[-1]
    assert (last.to_stage, last.note, last.actor, last.occurred_at) == (S.survey, "surveyor booked",
                                                                       "back_office", now)


def test_advance_at_the_end_or_of_an_unknown_claim_is_refused(run, session, now, capsys):
    closed = make_claim(session, stage=S.closed, now=now)
    assert run("advance", closed.claim_number) == 2
    assert "cannot go from closed" in capsys.readouterr().err
    assert run("advance", "CLM-2026-999999") == 2
    assert "no claim 'CLM-2026-999999'" in capsys.readouterr().err
    assert run("show", "not-a-claim") == 2


def test_move_to_an_allowed_stage_and_refusals(run, session, now, capsys):
    claim = make_claim(session, stage=S.survey, now=now)
    assert run("move", claim.claim_number, "awaiting-documents", "--note", "police report missing") == 0
    assert reload(session, claim).stage is S.awaiting_documents
    assert run("move", claim.claim_number, "paid") == 2
    assert "cannot go from awaiting_documents to paid" in capsys.readouterr().err
    assert run("move", claim.claim_number, "heaven") == 2
    assert "unknown stage 'heaven'" in capsys.readouterr().err
    count = session.scalars(select(ClaimStageEvent).where(ClaimStageEvent.claim_id == claim.id)).all()
    assert len(count) == 3  # reported, survey, awaiting_documents: nothing from the refusals


def test_assess_stores_the_figures_and_the_payout(run, session, now, capsys):
    policy = make_policy(session, deductible=Decimal("1000"))
    claim = make_claim(session, vehicle=make_vehicle(session, policy=policy), stage=S.loss_assessment, now=now)
    assert run("assess", claim.claim_number, "--parts", "12,000.50", "--labour", "3000", "--depreciation", "600",
               "--salvage", "200.5") == 0
    stored = reload(session, claim)
    assert (stored.assessed_parts, stored.assessed_labour, stored.depreciation, stored.salvage) == (
        Decimal("12000.50"), Decimal("3000.00"), Decimal("600.00"), Decimal("200.50"))
    assert (stored.deductible_applied, stored.payout_amount) == (Decimal("1000.00"), Decimal("13200.00"))
    assert "CNY 13,200.00" in capsys.readouterr().out
    assert stored.stage is S.loss_assessment  # assessing does not move the claim


def test_assess_caps_the_deductible_at_what_is_left(run, session, now):
    policy = make_policy(session, deductible=Decimal("2000"))
    claim = make_claim(session, vehicle=make_vehicle(session, policy=policy), stage=S.loss_assessment, now=now)
    assert run("assess", claim.claim_number, "--parts", "900", "--labour", "300") == 0
    stored = reload(session, claim)
    assert (stored.deductible_applied, stored.payout_amount, stored.depreciation, stored.salvage) == (
        Decimal("1200.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))


@pytest.mark.parametrize("flag,value,message", [
    ("--parts", "abc", "must be an amount"), ("--parts", "-5", "must not be negative"),
    ("--labour", "1.005", "must be an amount"), ("--labour", "NaN", "must be an amount"),
    ("--parts", "1e3", "must be an amount"), ("--parts", "12,00", "must be an amount"),
    ("--labour", "99999999999", "too large"), ("--parts", "", "must be an amount"),
])
def test_assess_refuses_bad_amounts_and_writes_nothing(run, session, now, capsys, flag, value, message):
    claim = make_claim(session, stage=S.loss_assessment, now=now)
    amounts = {"--parts": "100", "--labour": "100", flag: value}
    assert run("assess", claim.claim_number, *[x for pair in amounts.items() for x in pair]) == 2
    assert message in capsys.readouterr().err
    assert reload(session, claim).assessed_parts is None


def test_assess_is_refused_once_the_payout_is_being_approved(run, session, now, capsys):
    claim = make_claim(session, stage=S.approval, now=now)
    assert run("assess", claim.claim_number, "--parts", "100", "--labour", "100") == 2
    assert "cannot be assessed" in capsys.readouterr().err


def test_pay_an_approved_claim(run, session, now, capsys):
    claim = make_claim(session, stage=S.approval, now=now - timedelta(days=1), payout_amount=Decimal("3500"),
                       assessed_parts=Decimal("3000"), assessed_labour=Decimal("1000"))
    assert run("pay", claim.claim_number, "--card-last4", "0123") == 0
    stored = reload(session, claim)
    assert (stored.stage, stored.paid_at, stored.payout_card_last4) == (S.paid, now, "0123")
    assert "paid CNY 3,500.00 to the card ending 0123" in capsys.readouterr().out


@pytest.mark.parametrize("card", ["123", "12345", "12a4", "６２２２", "6222 0212 3456 7890", ""])
def test_pay_refuses_anything_but_four_digits(run, session, now, capsys, card):
    claim = make_claim(session, stage=S.approval, now=now, payout_amount=Decimal("3500"))
    assert run("pay", claim.claim_number, "--card-last4", card) == 2
    assert "exactly 4 digits" in capsys.readouterr().err
    stored = reload(session, claim)
    assert (stored.stage, stored.payout_card_last4, stored.paid_at) == (S.approval, None, None)


def test_pay_refuses_claims_not_approved_or_without_a_payout(run, session, now, capsys):
    in_review = make_claim(session, stage=S.loss_review, now=now, payout_amount=Decimal("3500"))
    assert run("pay", in_review.claim_number, "--card-last4", "1234") == 2
    assert "cannot go from loss_review to paid" in capsys.readouterr().err
    unassessed = make_claim(session, stage=S.approval, now=now)
    assert run("pay", unassessed.claim_number, "--card-last4", "1234") == 2
    assert "no assessed payout" in capsys.readouterr().err
    assert reload(session, unassessed).payout_card_last4 is None


def test_adjuster_is_assigned_by_name(run, session, now, capsys):
    adjuster = make_adjuster(session, name="Chen Zhiqiang")
    claim = make_claim(session, now=now)
    assert run("adjuster", claim.claim_number, "chen zhiqiang") == 0
    assert reload(session, claim).adjuster_id == adjuster.id
    assert run("adjuster", claim.claim_number, "Nobody") == 2
    assert "no adjuster named 'Nobody'; adjusters: Chen Zhiqiang" in capsys.readouterr().err
    make_adjuster(session, name="chen zhiqiang")
    assert run("adjuster", claim.claim_number, "Chen Zhiqiang") == 2


def test_usage_errors_and_help(run, capsys):
    assert run() == 2
    assert run("assess", "CLM-2026-000001", "--parts", "100") == 2  # --labour missing
    assert run("frobnicate") == 2
    assert main(["--help"]) == 0


def test_url_is_also_accepted_after_the_command(database_url, session, now):
    claim = make_claim(session, now=now)
    session.commit()
    assert main(["show", claim.claim_number, "--url", database_url], now=now) == 0


def test_an_unmigrated_database_is_reported(tmp_path, capsys):
    assert main(["--url", f"sqlite:///{tmp_path / 'empty.db'}", "show", "CLM-2026-000001"]) == 1
    assert "migrated" in capsys.readouterr().err


def test_parse_amount():
    assert parse_amount(" 1,234.5 ", "--parts") == Decimal("1234.50")
    assert parse_amount("0", "--parts") == Decimal("0.00")
    with pytest.raises(Refused):
        parse_amount("１２３", "--parts")  # full-width digits: retype, do not guess
