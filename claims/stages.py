"""The claim stage machine: which stage may follow which."""
from __future__ import annotations

from enum import Enum


class ClaimStage(str, Enum):
    reported = "reported"
    awaiting_documents = "awaiting_documents"
    survey = "survey"
    loss_assessment = "loss_assessment"
    loss_review = "loss_review"
    adjustment = "adjustment"
    approval = "approval"
    paid = "paid"
    closed = "closed"
    rejected = "rejected"
    withdrawn = "withdrawn"


_S = ClaimStage
MAIN_LINE: tuple[ClaimStage, ...] = (
    _S.reported, _S.survey, _S.loss_assessment, _S.loss_review, _S.adjustment, _S.approval, _S.paid, _S.closed,
)
TERMINAL_STAGES = frozenset({_S.closed, _S.rejected, _S.withdrawn})
# Stages that can return to the stage they were in once the documents arrive.
_RESUMABLE = frozenset({_S.survey, _S.loss_assessment, _S.loss_review, _S.adjustment, _S.approval})
_EXITS = frozenset({_S.awaiting_documents, _S.rejected, _S.withdrawn})

ALLOWED_TRANSITIONS: dict[ClaimStage, frozenset[ClaimStage]] = {
    _S.reported: frozenset({_S.survey, _S.loss_assessment}) | _EXITS,  # loss_assessment: fast track skips survey
    _S.survey: frozenset({_S.loss_assessment}) | _EXITS,
    _S.loss_assessment: frozenset({_S.loss_review}) | _EXITS,
    _S.loss_review: frozenset({_S.adjustment, _S.loss_assessment}) | _EXITS,  # back: re-assessment after a dispute
    _S.adjustment: frozenset({_S.approval}) | _EXITS,
    _S.approval: frozenset({_S.paid, _S.adjustment, _S.rejected}),  # no withdrawal once the payout is being approved
    _S.awaiting_documents: _RESUMABLE | frozenset({_S.rejected, _S.withdrawn}),
    _S.paid: frozenset({_S.closed}),
    _S.closed: frozenset(),
    _S.rejected: frozenset(),
    _S.withdrawn: frozenset(),
}


class IllegalTransition(ValueError):
    """A stage change the stage machine does not allow (`to_stage` None: there is no next stage)."""

    def __init__(self, from_stage: ClaimStage, to_stage: ClaimStage | None) -> None:
        target = to_stage.value if to_stage is not None else "a next stage"
        super().__init__(f"a claim cannot go from {from_stage.value} to {target}")
        self.from_stage = from_stage
        self.to_stage = to_stage


def can_transition(from_stage: ClaimStage, to_stage: ClaimStage, *, fast_track: bool | None = None) -> bool:
    """Whether the machine allows the move; with `fast_track=False`, skipping the survey is refused."""
    from_stage, to_stage = ClaimStage(from_stage), ClaimStage(to_stage)
    if fast_track is False and (from_stage, to_stage) == (_S.reported, _S.loss_assessment):
        return False
    return to_stage in ALLOWED_TRANSITIONS[from_stage]


def next_stage(stage: ClaimStage, *, fast_track: bool) -> ClaimStage | None:
    """The main-line stage after `stage`; None at the end and off the main line."""
    stage = ClaimStage(stage)
    if stage is _S.reported and fast_track:
        return _S.loss_assessment
    if stage not in MAIN_LINE or stage is MAIN_LINE[-1]:
        return None
    return MAIN_LINE[MAIN_LINE.index(stage) + 1]


def is_open(stage: ClaimStage) -> bool:
    """True until the claim is closed, rejected or withdrawn."""
    return ClaimStage(stage) not in TERMINAL_STAGES
