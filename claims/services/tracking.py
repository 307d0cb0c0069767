"""Claim tracking for a verified policyholder: their claims, and one claim's status in plain terms.

Callers pass the policyholder found with `claims.services.identity.verified_policyholder`; a claim number
that is unknown and one that belongs to someone else give the same answer (None), so that nobody can
probe for other people's claims.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from claims.checklist import missing_checklist_items
from claims.clock import require_aware
from claims.enums import ChecklistItem
from claims.models import Claim, Policy, Policyholder
from claims.numbering import find_claim_number
from claims.payout import PayoutBreakdown, payout_breakdown
from claims.services.claims import following_stage
from claims.settings import ClaimsSettings
from claims.stages import TERMINAL_STAGES, ClaimStage

# From the loss review on, the assessed figures are the ones the payout will be made from.
PAYOUT_STAGES = frozenset({
    ClaimStage.loss_review, ClaimStage.adjustment, ClaimStage.approval, ClaimStage.paid, ClaimStage.closed,
})
# Once paid (or ended), nothing more is asked of the customer.
_NOTHING_TO_SEND = TERMINAL_STAGES | {ClaimStage.paid}


@dataclass(frozen=True)
class AdjusterContact:
    """Who handles the claim and how to reach them."""

    name: str
    phone: str
    email: str | None


@dataclass(frozen=True)
class ClaimStatus:
    """Everything the customer is told about one claim; language-neutral (see claims.wording)."""

    claim_number: str
    plate: str
    stage: ClaimStage
    stage_entered_at: datetime
    timeline: list[tuple[ClaimStage, datetime]]  # every stage the claim entered, oldest first
    adjuster: AdjusterContact | None
    missing_items: list[ChecklistItem]  # what the customer still has to send
    next_stage: ClaimStage | None
    next_stage_due: datetime | None  # stage_entered_at + the service target of the current stage
    overdue: bool
    payout: PayoutBreakdown | None
    payout_paid_at: datetime | None
    payout_card_last4: str | None
    fast_track: bool = False

    @property
    def is_open(self) -> bool:
        """Until the claim is closed, rejected or withdrawn."""
        return self.stage not in TERMINAL_STAGES


def claims_of(session: Session, policyholder: Policyholder, *, open_only: bool = True) -> list[Claim]:
    """The policyholder's claims, newest first; only those not closed, rejected or withdrawn by default."""
    query = (
        select(Claim).join(Policy, Claim.policy_id == Policy.id)
        .where(Policy.policyholder_id == policyholder.id)
        .order_by(Claim.reported_at.desc(), Claim.id.desc())
    )
    if open_only:
        query = query.where(Claim.stage.not_in(TERMINAL_STAGES))
    return list(session.scalars(query))


def claim_of(session: Session, policyholder: Policyholder, claim_number: str | None) -> Claim | None:
    """The policyholder's claim with this number, however typed; None when there is no such claim AND when
    the claim is someone else's (the two must look the same to the caller)."""
    normalised = find_claim_number(claim_number)
    if normalised is None:
        return None
    return session.scalar(
        select(Claim).join(Policy, Claim.policy_id == Policy.id)
        .where(Claim.claim_number == normalised, Policy.policyholder_id == policyholder.id)
    )


def _stage_for_payout(claim: Claim) -> ClaimStage:
    """The claim's stage, or while it waits for documents, the stage it was in before."""
    if claim.stage is ClaimStage.awaiting_documents:
        for event in reversed(claim.stage_events):
            if event.to_stage is ClaimStage.awaiting_documents and event.from_stage is not None:
                return event.from_stage
    return claim.stage


def claim_payout(claim: Claim) -> PayoutBreakdown | None:
    """The payout breakdown from the claim's stored figures, once they are final enough to show (from the
    loss review on); None before, without figures, and for rejected or withdrawn claims."""
    if claim.assessed_parts is None or claim.assessed_labour is None:
        return None
    if _stage_for_payout(claim) not in PAYOUT_STAGES:
        return None
    # The deductible actually applied when assessed, so that the lines give the stored payout even if
    # the policy's deductible changed since.
    deductible = claim.deductible_applied if claim.deductible_applied is not None else claim.policy.deductible
    return payout_breakdown(
        parts=claim.assessed_parts, labour=claim.assessed_labour, deductible=deductible,
        depreciation=claim.depreciation or 0, salvage=claim.salvage or 0,
    )


def claim_status(session: Session, claim: Claim, *, now: datetime, settings: ClaimsSettings) -> ClaimStatus:
    """The claim's status as of `now`: stage, history, handler, what is missing, when the next stage is due."""
    require_aware(now)
    upcoming = following_stage(claim)
    target_days = settings.stage_targets_days.get(claim.stage.value)
    due = (claim.stage_changed_at + timedelta(days=target_days)
           if upcoming is not None and target_days is not None else None)
    adjuster = claim.adjuster
    paid = claim.paid_at is not None
    return ClaimStatus(
        claim_number=claim.claim_number,
        plate=claim.vehicle.plate_number,
        stage=claim.stage,
        stage_entered_at=claim.stage_changed_at,
        timeline=[(event.to_stage, event.occurred_at) for event in claim.stage_events],
        adjuster=AdjusterContact(adjuster.name, adjuster.phone, adjuster.email or None) if adjuster else None,
        missing_items=[] if claim.stage in _NOTHING_TO_SEND else missing_checklist_items(claim),
        next_stage=upcoming,
        next_stage_due=due,
        overdue=due is not None and now > due,
        payout=claim_payout(claim),
        payout_paid_at=claim.paid_at if paid else None,
        payout_card_last4=claim.payout_card_last4 if paid else None,
        fast_track=bool(claim.fast_track),
    )
