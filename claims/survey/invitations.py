"""Survey invitations: scheduled after a paid claim or a completed rescue, sent once through the outbox.

1. `schedule_surveys` turns each new completion (a claim's `paid` stage event, a rescue's `completed` event)
   into one `NpsSurvey`, due after the delay and outside quiet hours. The unique claim and request columns make
   this idempotent across processes and restarts.
2. `due_surveys` lists the scheduled ones now due; the bot checks whether each customer is busy in a
   conversation (a form: only Rasa knows), then `release_survey` decides: withheld (opted out, not linked,
   surveyed within the throttle window), deferred (quiet hours, with an agent, a rescue under way, in a form),
   or handed to the delivery outbox as a `survey` delivery, keyed `survey:<id>`, which sends it exactly once
   like a stage update.
3. The answers are recorded by the survey form's actions: `record_score`, then `record_follow_up`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from claims.clock import require_aware
from claims.enums import DeliveryKind, DeliveryStatus, NpsReason, RoadsideStatus, SurveyStatus, SurveyTrigger
from claims.models import (
    ChatPreference, Claim, ClaimStageEvent, Delivery, NpsResponse, NpsSurvey, Policy, Policyholder, RoadsideEvent,
    RoadsideRequest,
)
from claims.nps import NpsCategory, follow_up_for_score, nps_category
from claims.roadside.requests import open_request_for_chat
from claims.services.handoffs import open_handoff_for_chat
from claims.stages import ClaimStage
from claims.survey.reasons import classify_reason
from claims.services.deliveries import delivery_key
from claims.survey.rules import SurveyRules, after_quiet_hours, first_due, in_quiet_hours, throttled

# A survey that reached the customer counts for the throttle, answered or not.
_REACHED = (SurveyStatus.sent, SurveyStatus.scored, SurveyStatus.answered, SurveyStatus.expired)
_OPEN = (SurveyStatus.sent, SurveyStatus.scored)
_MAX_COMMENT = 2000


def survey_delivery_key(survey_id: int, chat_id: int) -> str:
    """The outbox key of a survey's first question."""
    return delivery_key(DeliveryKind.survey, chat_id, f"survey-{survey_id}", "invitation")


def _insert_each(session: Session, surveys: list[NpsSurvey]) -> int:
    """Insert the new invitations; another process may have inserted some since we looked."""
    if not surveys:
        session.commit()
        return 0
    values = [{c: getattr(s, c) for c in ("trigger", "claim_id", "roadside_request_id", "policyholder_id", "chat_id",
                                          "branch", "channel", "status", "completed_at", "due_at")} for s in surveys]
    session.add_all(surveys)
    try:
        session.commit()
        return len(surveys)
    except IntegrityError:
        session.rollback()
    inserted = 0
    for row in values:
        session.add(NpsSurvey(**row))
        try:
            session.commit()
            inserted += 1
        except IntegrityError:
            session.rollback()
    return inserted


def schedule_surveys(session: Session, *, now: datetime, rules: SurveyRules) -> int:
    """One invitation per newly paid claim and per newly completed rescue; returns how many were scheduled.

    Completions older than `rules.max_age` are left alone (a survey about a payout weeks ago means little), and
    so are those already answered another way.
    """
    require_aware(now)
    since = now - rules.max_age
    new: list[NpsSurvey] = []
    paid = session.execute(
        select(ClaimStageEvent.claim_id, func.min(ClaimStageEvent.occurred_at), Policy.policyholder_id, Policy.branch,
               Policyholder.telegram_user_id)
        .join(Claim, ClaimStageEvent.claim_id == Claim.id)
        .join(Policy, Claim.policy_id == Policy.id)
        .join(Policyholder, Policy.policyholder_id == Policyholder.id)
        .where(ClaimStageEvent.to_stage == ClaimStage.paid, ClaimStageEvent.occurred_at >= since,
               ~select(NpsSurvey.id).where(NpsSurvey.claim_id == ClaimStageEvent.claim_id).exists(),
               # answered another way already (by phone, before the chat survey)
               ~select(NpsResponse.id).where(NpsResponse.claim_id == ClaimStageEvent.claim_id).exists())
        .group_by(ClaimStageEvent.claim_id, Policy.policyholder_id, Policy.branch, Policyholder.telegram_user_id)
    ).all()
    for claim_id, paid_at, holder_id, branch, chat_id in paid:
        new.append(NpsSurvey(trigger=SurveyTrigger.claim_paid, claim_id=claim_id, policyholder_id=holder_id,
                             chat_id=chat_id, branch=branch, channel="telegram", status=SurveyStatus.scheduled,
                             completed_at=paid_at, due_at=first_due(paid_at, rules)))
    completed = session.execute(
        select(RoadsideEvent.request_id, func.min(RoadsideEvent.occurred_at), RoadsideRequest.policyholder_id,
               RoadsideRequest.chat_id, Policy.branch)
        .join(RoadsideRequest, RoadsideEvent.request_id == RoadsideRequest.id)
        .outerjoin(Policy, RoadsideRequest.policy_id == Policy.id)
        .where(RoadsideEvent.to_status == RoadsideStatus.completed, RoadsideEvent.occurred_at >= since,
               ~select(NpsSurvey.id).where(NpsSurvey.roadside_request_id == RoadsideEvent.request_id).exists(),
               ~select(NpsResponse.id).where(NpsResponse.roadside_request_id == RoadsideEvent.request_id).exists())
        .group_by(RoadsideEvent.request_id, RoadsideRequest.policyholder_id, RoadsideRequest.chat_id, Policy.branch)
    ).all()
    for request_id, completed_at, holder_id, chat_id, branch in completed:
        new.append(NpsSurvey(trigger=SurveyTrigger.roadside_completed, roadside_request_id=request_id,
                             policyholder_id=holder_id, chat_id=chat_id, branch=branch, channel="telegram",
                             status=SurveyStatus.scheduled, completed_at=completed_at,
                             due_at=first_due(completed_at, rules)))
    return _insert_each(session, new)


def survey_now(session: Session, claim: Claim, *, now: datetime) -> NpsSurvey:
    """The back office's "survey this claim now" (demos, a survey lost to an old throttle): its invitation is
    due at once; made if the claim has none. Quiet hours and the customer's choices still apply."""
    require_aware(now)
    survey = session.scalar(select(NpsSurvey).where(NpsSurvey.claim_id == claim.id))
    if survey is None:
        holder = claim.policy.policyholder
        survey = NpsSurvey(trigger=SurveyTrigger.claim_paid, claim_id=claim.id, policyholder_id=holder.id,
                           chat_id=holder.telegram_user_id, branch=claim.policy.branch, channel="telegram",
                           status=SurveyStatus.scheduled, completed_at=claim.paid_at or now, due_at=now)
        session.add(survey)
    elif survey.status in (SurveyStatus.scheduled, SurveyStatus.withheld):
        survey.status, survey.due_at, survey.note = SurveyStatus.scheduled, now, "due now (back office)"
    session.commit()
    return survey


@dataclass(frozen=True)
class DueSurvey:
    """A scheduled survey now due, and the chat it would go to (None: no linked Telegram account)."""

    survey_id: int
    chat_id: int | None


def due_surveys(session: Session, *, now: datetime, limit: int = 50) -> list[DueSurvey]:
    """Scheduled surveys due by `now`, oldest first, with the policyholder's chat as it is now."""
    require_aware(now)
    rows = session.execute(
        select(NpsSurvey.id, func.coalesce(Policyholder.telegram_user_id, NpsSurvey.chat_id))
        .join(Policyholder, NpsSurvey.policyholder_id == Policyholder.id)
        .where(NpsSurvey.status == SurveyStatus.scheduled, NpsSurvey.due_at <= now)
        .order_by(NpsSurvey.due_at, NpsSurvey.id).limit(limit)
    ).all()
    session.commit()
    return [DueSurvey(survey_id, chat_id) for survey_id, chat_id in rows]


class Release(str, Enum):
    """What `release_survey` did."""

    queued = "queued"  # handed to the outbox
    quiet_hours = "quiet_hours"
    busy = "busy"
    withheld = "withheld"
    not_due = "not_due"  # no longer scheduled (another process released it)


def _last_surveyed_at(session: Session, policyholder_id: int, survey_id: int) -> datetime | None:
    return session.scalar(
        select(func.max(NpsSurvey.sent_at))
        .where(NpsSurvey.policyholder_id == policyholder_id, NpsSurvey.id != survey_id,
               NpsSurvey.status.in_(_REACHED))
    )


def busy_reason(session: Session, survey: NpsSurvey, chat_id: int, in_conversation: str | None, *,
                answering_since: datetime) -> str | None:
    """Why the customer should not be asked `survey` now (with an agent, in a rescue, answering another survey
    sent since `answering_since`, in a form), or None."""
    if open_handoff_for_chat(session, chat_id) is not None:
        return "with an agent"
    if open_request_for_chat(session, chat_id) is not None:
        return "a rescue is under way"
    another = session.scalar(
        select(NpsSurvey.id).where(NpsSurvey.chat_id == chat_id, NpsSurvey.id != survey.id,
                                   NpsSurvey.status.in_(_OPEN), NpsSurvey.sent_at >= answering_since).limit(1)
    )
    if another is not None:
        return "answering another survey"
    return in_conversation


def release_survey(
    session: Session, survey_id: int, *, now: datetime, rules: SurveyRules, in_conversation: str | None = None,
) -> Release:
    """Send the survey if the customer may be asked now; else withhold it for good or defer it.

    `in_conversation` is why the customer is busy in the conversation (an active form), as the bot sees it.
    """
    require_aware(now)
    survey = session.scalar(select(NpsSurvey).where(NpsSurvey.id == survey_id).with_for_update())
    if survey is None or survey.status is not SurveyStatus.scheduled or survey.due_at > now:
        session.commit()
        return Release.not_due
    chat_id = survey.policyholder.telegram_user_id or survey.chat_id

    def withhold(note: str) -> Release:
        survey.status, survey.note = SurveyStatus.withheld, note
        session.commit()
        return Release.withheld

    if chat_id is None:
        return withhold("no linked Telegram account")
    preference = session.get(ChatPreference, chat_id)
    if preference is not None and preference.surveys_off:
        return withhold("the customer turned surveys off")
    last = _last_surveyed_at(session, survey.policyholder_id, survey.id)
    if throttled(last, now, rules):
        return withhold(f"surveyed on {last.date().isoformat()}, within {rules.per_person.days} days")
    if now - survey.completed_at > rules.max_age + rules.answer_window:
        return withhold("too long after the service")
    if in_quiet_hours(now, rules):
        survey.due_at, survey.note = after_quiet_hours(now, rules), "deferred: quiet hours"
        session.commit()
        return Release.quiet_hours
    busy = busy_reason(session, survey, chat_id, in_conversation, answering_since=now - rules.answer_window)
    if busy:
        survey.due_at, survey.note = now + rules.busy_recheck, f"deferred: {busy}"
        session.commit()
        return Release.busy
    survey.status, survey.sent_at, survey.chat_id, survey.note = SurveyStatus.sent, now, chat_id, None
    session.add(Delivery(kind=DeliveryKind.survey, dedupe_key=survey_delivery_key(survey.id, chat_id), chat_id=chat_id,
                         payload={"survey_id": survey.id}, status=DeliveryStatus.pending, attempts=0, created_at=now))
    try:
        session.commit()
    except IntegrityError:  # queued already (a process died between the two writes cannot happen: one commit)
        session.rollback()
        return Release.not_due
    return Release.queued


def expire_unanswered(session: Session, *, now: datetime, rules: SurveyRules) -> int:
    """Sent surveys left without a score beyond the answer window expire (a score alone stays `scored`)."""
    require_aware(now)
    expired = session.execute(
        update(NpsSurvey).where(NpsSurvey.status == SurveyStatus.sent, NpsSurvey.sent_at < now - rules.answer_window)
        .values(status=SurveyStatus.expired).execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return expired


def survey_for_chat(session: Session, survey_id: int, chat_id: int) -> NpsSurvey | None:
    """The survey, if it was sent to this chat and can still be answered: anything else (another chat's
    survey, a forged id, a closed survey) is None."""
    survey = session.get(NpsSurvey, survey_id)
    if survey is None or survey.chat_id != chat_id or survey.status not in _OPEN:
        return None
    return survey


def record_score(session: Session, survey: NpsSurvey, score: int, *, now: datetime) -> NpsResponse:
    """Store the score as soon as it is given (a survey left at the follow-up still counts it)."""
    require_aware(now)
    response = survey.response
    if response is None:
        response = NpsResponse(survey=survey, policyholder_id=survey.policyholder_id, chat_id=survey.chat_id,
                               claim_id=survey.claim_id, roadside_request_id=survey.roadside_request_id,
                               branch=survey.branch, channel=survey.channel, created_at=now, score=score,
                               follow_up=follow_up_for_score(score))
        session.add(response)
    else:
        response.score, response.follow_up = score, follow_up_for_score(score)
    survey.status = SurveyStatus.scored
    session.commit()
    return response


@dataclass(frozen=True)
class FollowUpRecorded:
    """The stored answer: its group, the reason's category, and whether a person should call back."""

    category: NpsCategory
    reason: NpsReason | None
    call_back: bool


def record_follow_up(session: Session, survey: NpsSurvey, comment: str | None, *, now: datetime) -> FollowUpRecorded:
    """Store the answer to the follow-up (None: skipped), classified into the study's reason categories."""
    require_aware(now)
    response = survey.response
    if response is None:
        raise ValueError("the follow-up comes after the score")
    category = nps_category(response.score)
    comment = (comment or "").strip()[:_MAX_COMMENT] or None
    response.comment = comment
    response.reason = classify_reason(comment, category) if comment else None
    survey.status, survey.answered_at = SurveyStatus.answered, now
    session.commit()
    return FollowUpRecorded(category, response.reason, call_back=category is NpsCategory.detractor)
