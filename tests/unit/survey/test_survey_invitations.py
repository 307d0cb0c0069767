"""Survey invitations: one per paid claim or completed rescue, the throttle, opt-out, deferral, exactly once."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from claims.enums import DeliveryKind, HandoffReason, NpsReason, RoadsideStatus, SurveyStatus, SurveyTrigger
from claims.models import ChatPreference, Delivery, NpsSurvey, RoadsideEvent
from claims.nps import NpsCategory
from claims.services.handoffs import request_handoff
from claims.stages import ClaimStage
from claims.survey import invitations
from claims.survey.invitations import Release
from claims.survey.rules import SurveyRules
from tests.factories import make_claim, make_linked_policyholder, make_policy, make_roadside_request, make_vehicle

SHANGHAI = ZoneInfo("Asia/Shanghai")
RULES = SurveyRules(timezone=SHANGHAI)
# 14:00 in Shanghai: outside quiet hours
PAID_AT = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)
DUE = PAID_AT + timedelta(hours=24)


def paid_claim(session, *, holder=None, paid_at=PAID_AT, branch="Shanghai"):
    holder = holder or make_linked_policyholder(session)
    vehicle = make_vehicle(session, policy=make_policy(session, policyholder=holder, branch=branch))
    return make_claim(session, vehicle=vehicle, stage=ClaimStage.paid, now=paid_at, paid_at=paid_at)


def survey_of(session, claim):
    return session.scalar(select(NpsSurvey).where(NpsSurvey.claim_id == claim.id))


def test_a_paid_claim_gets_one_survey_due_after_the_delay(session):
    claim = paid_claim(session)
    assert invitations.schedule_surveys(session, now=PAID_AT + timedelta(minutes=1), rules=RULES) == 1
    assert invitations.schedule_surveys(session, now=PAID_AT + timedelta(minutes=2), rules=RULES) == 0
    survey = survey_of(session, claim)
    assert (survey.trigger, survey.status, survey.due_at, survey.branch) == (
        SurveyTrigger.claim_paid, SurveyStatus.scheduled, DUE, "Shanghai")
    assert invitations.due_surveys(session, now=DUE - timedelta(seconds=1)) == []
    assert [d.survey_id for d in invitations.due_surveys(session, now=DUE)] == [survey.id]


def test_an_old_payment_is_not_surveyed(session):
    paid_claim(session, paid_at=PAID_AT - timedelta(days=30))
    assert invitations.schedule_surveys(session, now=PAID_AT, rules=RULES) == 0


def test_a_completed_rescue_gets_a_survey(session):
    holder = make_linked_policyholder(session)
    vehicle = make_vehicle(session, policy=make_policy(session, policyholder=holder))
    request = make_roadside_request(session, vehicle=vehicle, status=RoadsideStatus.completed,
                                    chat_id=holder.telegram_user_id)
    session.add(RoadsideEvent(request_id=request.id, from_status=RoadsideStatus.arrived,
                              to_status=RoadsideStatus.completed, actor="provider", occurred_at=PAID_AT))
    session.commit()
    assert invitations.schedule_surveys(session, now=PAID_AT, rules=RULES) == 1
    survey = session.scalar(select(NpsSurvey))
    assert (survey.trigger, survey.roadside_request_id, survey.chat_id) == (
        SurveyTrigger.roadside_completed, request.id, holder.telegram_user_id)


def test_release_hands_the_survey_to_the_outbox_once(session):
    claim = paid_claim(session)
    invitations.schedule_surveys(session, now=PAID_AT, rules=RULES)
    survey = survey_of(session, claim)
    assert invitations.release_survey(session, survey.id, now=DUE, rules=RULES) is Release.queued
    assert invitations.release_survey(session, survey.id, now=DUE, rules=RULES) is Release.not_due
    deliveries = list(session.scalars(select(Delivery)))
    assert [(d.kind, d.dedupe_key, d.chat_id, d.payload) for d in deliveries] == [
        (DeliveryKind.survey, f"survey:{claim.policy.policyholder.telegram_user_id}:survey-{survey.id}:invitation",
         claim.policy.policyholder.telegram_user_id,
         {"survey_id": survey.id})]
    session.refresh(survey)
    assert (survey.status, survey.sent_at) == (SurveyStatus.sent, DUE)


def test_quiet_hours_defer_to_nine_in_the_morning(session):
    claim = paid_claim(session, paid_at=datetime(2026, 12, 1, 14, 0, tzinfo=timezone.utc))  # 22:00 Shanghai
    invitations.schedule_surveys(session, now=claim.paid_at, rules=RULES)
    survey = survey_of(session, claim)
    assert survey.due_at == datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)
    # released by hand in the quiet hours (the back office's "now"): deferred, not sent
    night = datetime(2026, 12, 3, 23, 0, tzinfo=SHANGHAI)
    invitations.survey_now(session, claim, now=night)
    assert invitations.release_survey(session, survey.id, now=night, rules=RULES) is Release.quiet_hours
    session.refresh(survey)
    assert (survey.status, survey.due_at) == (SurveyStatus.scheduled, datetime(2026, 12, 4, 9, 0, tzinfo=SHANGHAI))
    assert session.scalar(select(func.count()).select_from(Delivery)) == 0


def test_one_survey_per_person_in_thirty_days(session):
    holder = make_linked_policyholder(session)
    first, second = paid_claim(session, holder=holder), paid_claim(session, holder=holder,
                                                                   paid_at=PAID_AT + timedelta(days=10))
    invitations.schedule_surveys(session, now=PAID_AT + timedelta(days=10), rules=RULES)
    assert invitations.release_survey(session, survey_of(session, first).id, now=DUE, rules=RULES) is Release.queued
    later = DUE + timedelta(days=10)
    assert invitations.release_survey(session, survey_of(session, second).id, now=later, rules=RULES) is Release.withheld
    assert "within 30 days" in survey_of(session, second).note
    # a third claim paid 31 days after the first survey is asked again
    third = paid_claim(session, holder=holder, paid_at=DUE + timedelta(days=31))
    invitations.schedule_surveys(session, now=third.paid_at, rules=RULES)
    assert invitations.release_survey(session, survey_of(session, third).id, now=third.paid_at + timedelta(days=1),
                                      rules=RULES) is Release.queued


def test_opted_out_and_unlinked_customers_are_not_asked(session):
    opted = paid_claim(session)
    session.add(ChatPreference(chat_id=opted.policy.policyholder.telegram_user_id, surveys_off=True))
    session.commit()
    unlinked_holder = make_linked_policyholder(session)
    unlinked = paid_claim(session, holder=unlinked_holder)
    unlinked_holder.telegram_user_id = None
    session.commit()
    invitations.schedule_surveys(session, now=PAID_AT, rules=RULES)
    assert invitations.release_survey(session, survey_of(session, opted).id, now=DUE, rules=RULES) is Release.withheld
    assert invitations.release_survey(session, survey_of(session, unlinked).id, now=DUE, rules=RULES) is Release.withheld
    assert survey_of(session, opted).note == "the customer turned surveys off"
    assert survey_of(session, unlinked).note == "no linked Telegram account"


def test_a_customer_with_an_agent_or_in_a_form_is_not_interrupted(session):
    claim = paid_claim(session)
    chat = claim.policy.policyholder.telegram_user_id
    invitations.schedule_surveys(session, now=PAID_AT, rules=RULES)
    survey = survey_of(session, claim)
    assert invitations.release_survey(session, survey.id, now=DUE, rules=RULES,
                                      in_conversation="reporting an accident") is Release.busy
    session.refresh(survey)
    assert (survey.due_at, survey.note) == (DUE + RULES.busy_recheck, "deferred: reporting an accident")
    request_handoff(session, chat_id=chat, telegram_user_id=chat, reason=HandoffReason.user_request, now=DUE)
    later = DUE + RULES.busy_recheck
    assert invitations.release_survey(session, survey.id, now=later, rules=RULES) is Release.busy
    assert survey_of(session, claim).note == "deferred: with an agent"


def test_answers_are_recorded_with_their_reason(session):
    claim = paid_claim(session)
    invitations.schedule_surveys(session, now=PAID_AT, rules=RULES)
    survey = survey_of(session, claim)
    invitations.release_survey(session, survey.id, now=DUE, rules=RULES)
    chat = claim.policy.policyholder.telegram_user_id
    assert invitations.survey_for_chat(session, survey.id, chat + 1) is None  # another chat's survey
    assert invitations.survey_for_chat(session, survey.id + 999, chat) is None
    open_survey = invitations.survey_for_chat(session, survey.id, chat)
    response = invitations.record_score(session, open_survey, 3, now=DUE + timedelta(minutes=1))
    assert (response.score, response.branch, response.claim_id, survey_of(session, claim).status) == (
        3, "Shanghai", claim.id, SurveyStatus.scored)
    recorded = invitations.record_follow_up(session, open_survey, "the assessment took three weeks",
                                            now=DUE + timedelta(minutes=2))
    assert recorded.category is NpsCategory.detractor and recorded.call_back
    assert recorded.reason is NpsReason.slow
    assert survey_of(session, claim).status is SurveyStatus.answered
    assert invitations.survey_for_chat(session, survey.id, chat) is None  # answered: closed


def test_unanswered_surveys_expire(session):
    claim = paid_claim(session)
    invitations.schedule_surveys(session, now=PAID_AT, rules=RULES)
    invitations.release_survey(session, survey_of(session, claim).id, now=DUE, rules=RULES)
    assert invitations.expire_unanswered(session, now=DUE + RULES.answer_window, rules=RULES) == 0
    assert invitations.expire_unanswered(session, now=DUE + RULES.answer_window + timedelta(seconds=1),
                                         rules=RULES) == 1
    assert survey_of(session, claim).status is SurveyStatus.expired
