"""Moving claims along the stage machine, with a history event for every move."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from claims.clock import require_aware
from claims.models import Claim, ClaimStageEvent
from claims.numbering import normalise_claim_number
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


def advance_claim(session: Session, *, claim_number: str, actor: str, now: datetime) -> ClaimStageEvent:
    """Move the claim to its next main-line stage (back where it was, after awaiting documents)."""
    claim = claim_by_number(session, claim_number)
    if claim is None:
        raise ClaimNotFound(claim_number)
    if claim.stage is ClaimStage.awaiting_documents:
        target = _stage_to_resume(claim)
    else:
        target = next_stage(claim.stage, fast_track=claim.fast_track)
    if target is None:
        raise IllegalTransition(claim.stage, None)
    return move_claim_to_stage(session, claim=claim, to_stage=target, actor=actor, now=now)
