"""The claim stage machine."""
import pytest

from claims.stages import (
    ALLOWED_TRANSITIONS, MAIN_LINE, TERMINAL_STAGES, ClaimStage as S, IllegalTransition, can_transition, is_open,
    next_stage,
)


def test_every_stage_has_an_entry_and_terminal_stages_lead_nowhere():
    assert set(ALLOWED_TRANSITIONS) == set(S)
    for stage in TERMINAL_STAGES:
        assert ALLOWED_TRANSITIONS[stage] == frozenset()
        assert not is_open(stage)


def test_main_line_moves_forward_one_stage_at_a_time():
    for current, following in zip(MAIN_LINE, MAIN_LINE[1:]):
        assert can_transition(current, following)
        assert next_stage(current, fast_track=False) is following
    assert next_stage(S.closed, fast_track=False) is None
    assert not can_transition(S.survey, S.loss_review)  # no skipping assessment
    assert not can_transition(S.loss_assessment, S.survey)  # no going back to the survey


def test_fast_track_skips_the_survey_and_only_fast_track():
    assert next_stage(S.reported, fast_track=True) is S.loss_assessment
    assert next_stage(S.reported, fast_track=False) is S.survey
    assert can_transition(S.reported, S.loss_assessment, fast_track=True)
    assert not can_transition(S.reported, S.loss_assessment, fast_track=False)
    assert next_stage(S.survey, fast_track=True) is S.loss_assessment


@pytest.mark.parametrize("stage", [S.reported, S.survey, S.loss_assessment, S.loss_review, S.adjustment])
def test_open_stages_before_approval_can_wait_for_documents_be_rejected_or_withdrawn(stage):
    assert {S.awaiting_documents, S.rejected, S.withdrawn} <= ALLOWED_TRANSITIONS[stage]


def test_approval_can_pay_send_back_or_reject_but_not_be_withdrawn():
    assert ALLOWED_TRANSITIONS[S.approval] == {S.paid, S.adjustment, S.rejected}


def test_awaiting_documents_resumes_any_working_stage_but_not_reported_or_paid():
    allowed = ALLOWED_TRANSITIONS[S.awaiting_documents]
    assert {S.survey, S.loss_assessment, S.loss_review, S.adjustment, S.approval} <= allowed
    assert S.reported not in allowed and S.paid not in allowed
    assert next_stage(S.awaiting_documents, fast_track=False) is None  # depends on where it came from


def test_loss_review_can_send_back_for_reassessment_and_paid_only_closes():
    assert can_transition(S.loss_review, S.loss_assessment)
    assert ALLOWED_TRANSITIONS[S.paid] == {S.closed}
    assert is_open(S.paid)


def test_string_values_are_accepted_and_illegal_transition_explains():
    assert can_transition("survey", "loss_assessment")
    error = IllegalTransition(S.closed, S.survey)
    assert "closed" in str(error) and error.to_stage is S.survey
    assert "next stage" in str(IllegalTransition(S.closed, None))
