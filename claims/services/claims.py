"""Moving claims along the stage machine, with a history event for every move; the back office's
assessment figures, payments and adjusters."""
from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from claims.clock import require_aware
from claims.models import Adjuster, Claim, ClaimStageEvent
from claims.money import to_money
from claims.numbering import normalise_claim_number
from claims.payout import PayoutBreakdown, payout_breakdown
from claims.stages import ALLOWED_TRANSITIONS, ClaimStage, IllegalTransition, can_transition, next_stage


class ClaimNotFound(LookupError):
    """No claim has this number."""


class StaleClaimStage(IllegalTransition):
    """The claim changed stage in another transaction since it was read."""


def claim_by_number(session: Session, claim_number: str) -> Claim | None:
    """The claim with this number, however the customer typed it."""
    normalised = normalise_claim_number(claim_number)
    if normalised is None:
        return None
    return session.scalar(select(Claim).where(Claim.claim_number == normalised))


def move_claim_to_stage(
    session: Session, *, claim: Claim, to_stage: ClaimStage | str, actor: str, note: str | None = None,
    now: datetime,
) -> ClaimStageEvent:
    """Move the claim to `to_stage` if the stage machine allows it, record the event and commit."""
    require_aware(now)
    from_stage, to_stage = claim.stage, ClaimStage(to_stage)
    if not can_transition(from_stage, to_stage, fast_track=claim.fast_track):
        raise IllegalTransition(from_stage, to_stage)
    event = ClaimStageEvent(
        claim=claim, from_stage=from_stage, to_stage=to_stage, occurred_at=now, note=note, actor=actor
    )
    session.add(event)  # backrefs do not cascade into the session in SQLAlchemy 2
    values: dict[str, object] = {"stage": to_stage, "stage_changed_at": now}
    if to_stage is ClaimStage.paid and claim.paid_at is None:
        values["paid_at"] = now
    # Guarded on the stage we read, so that two concurrent moves cannot both succeed.
    moved = session.execute(
        update(Claim).where(Claim.id == claim.id, Claim.stage == from_stage).values(**values)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:
        session.rollback()
        raise StaleClaimStage(from_stage, to_stage)
    for key, value in values.items():  # what the UPDATE wrote, without the ORM writing it again
        set_committed_value(claim, key, value)
    session.commit()
    return event


def _stage_to_resume(claim: Claim) -> ClaimStage | None:
    """Where a claim waiting for documents goes back to: the stage it left, or the one after it."""
    for event in reversed(claim.stage_events):
        if event.to_stage is ClaimStage.awaiting_documents and event.from_stage is not None:
            if event.from_stage in ALLOWED_TRANSITIONS[ClaimStage.awaiting_documents]:
                return event.from_stage
            return next_stage(event.from_stage, fast_track=claim.fast_track)
    return None


def following_stage(claim: Claim) -> ClaimStage | None:
    """The stage `advance_claim` would move the claim to: the next main-line stage, or after awaiting
    documents the stage it returns to; None at the end of the line and for rejected or withdrawn claims."""
    if claim.stage is ClaimStage.awaiting_documents:
        return _stage_to_resume(claim)
    return next_stage(claim.stage, fast_track=claim.fast_track)


def advance_claim(
    session: Session, *, claim_number: str, actor: str, now: datetime, note: str | None = None
) -> ClaimStageEvent:
    """Move the claim to its next main-line stage (back where it was, after awaiting documents)."""
    claim = claim_by_number(session, claim_number)
    if claim is None:
        raise ClaimNotFound(claim_number)
    target = following_stage(claim)
    if target is None:
        raise IllegalTransition(claim.stage, None)
    return move_claim_to_stage(session, claim=claim, to_stage=target, actor=actor, note=note, now=now)


# Assessment figures may be set (or corrected) from the survey until the payout goes for approval.
ASSESSABLE_STAGES = frozenset({
    ClaimStage.survey, ClaimStage.loss_assessment, ClaimStage.loss_review, ClaimStage.adjustment,
    ClaimStage.awaiting_documents,
})
_CARD_LAST4 = re.compile(r"[0-9]{4}")


class PaymentRefused(ValueError):
    """The claim cannot be marked paid as asked (no assessed payout, or not a card's last 4 digits)."""


class ClaimNotAssessable(ValueError):
    """The claim is in a stage where its assessment figures may no longer (or not yet) change."""

    def __init__(self, stage: ClaimStage) -> None:
        super().__init__(f"a claim in {stage.value} cannot be assessed (only in "
                         + ", ".join(sorted(s.value for s in ASSESSABLE_STAGES)) + ")")
        self.stage = stage


def record_assessment(
    session: Session, *, claim: Claim, parts: Decimal, labour: Decimal, depreciation: Decimal = Decimal(0),
    salvage: Decimal = Decimal(0),
) -> PayoutBreakdown:
    """Store the assessed figures with the deductible applied and the payout they give (policy deductible)."""
    if claim.stage not in ASSESSABLE_STAGES:
        raise ClaimNotAssessable(claim.stage)
    breakdown = payout_breakdown(parts=parts, labour=labour, deductible=claim.policy.deductible,
                                 depreciation=depreciation, salvage=salvage)  # refuses negatives and floats
    values = dict(
        assessed_parts=breakdown.amount("parts"), assessed_labour=breakdown.amount("labour"),
        depreciation=to_money(depreciation), salvage=to_money(salvage),
        deductible_applied=breakdown.deductible_applied, payout_amount=breakdown.payout,
    )
    # Guarded on the stage we read: no figures slip in after another process sent the claim on.
    stored = session.execute(
        update(Claim).where(Claim.id == claim.id, Claim.stage.in_(ASSESSABLE_STAGES)).values(**values)
        .execution_options(synchronize_session=False)
    )
    if stored.rowcount != 1:
        session.rollback()
        raise ClaimNotAssessable(claim.stage)
    for key, value in values.items():
        set_committed_value(claim, key, value)
    session.commit()
    return breakdown


def record_payment(
    session: Session, *, claim: Claim, card_last4: str, actor: str, now: datetime, note: str | None = None
) -> ClaimStageEvent:
    """Mark an approved claim paid to the bank card ending `card_last4` (sets paid_at) and record the move."""
    if not isinstance(card_last4, str) or not _CARD_LAST4.fullmatch(card_last4):
        raise PaymentRefused("the card must be given by its last 4 digits, e.g. 1234")
    if not can_transition(claim.stage, ClaimStage.paid, fast_track=claim.fast_track):
        raise IllegalTransition(claim.stage, ClaimStage.paid)
    if claim.payout_amount is None:
        raise PaymentRefused(f"{claim.claim_number} has no assessed payout to pay (assess it first)")
    claim.payout_card_last4 = card_last4  # written with the move, or rolled back with it
    try:
        return move_claim_to_stage(session, claim=claim, to_stage=ClaimStage.paid, actor=actor, note=note, now=now)
    except IllegalTransition:
        session.rollback()
        raise


def assign_adjuster(session: Session, *, claim: Claim, adjuster: Adjuster) -> None:
    """Make `adjuster` the person who handles the claim."""
    claim.adjuster = adjuster
    session.commit()
