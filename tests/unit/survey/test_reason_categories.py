"""The study's reason categories, from the customer's own words."""
import pytest

from claims.enums import NpsReason
from claims.nps import NpsCategory
from claims.survey.reasons import classify_reason

D, P, R = NpsCategory.detractor, NpsCategory.passive, NpsCategory.promoter


@pytest.mark.parametrize("text, category, reason", [
    ("the assessment took ages", D, NpsReason.slow),
    ("定损拖了半个月", D, NpsReason.slow),
    ("be faster", P, NpsReason.slow),
    ("nobody explained how the payout was calculated", D, NpsReason.payout_not_explained),
    ("赔款怎么算的没人解释", D, NpsReason.payout_not_explained),
    ("the amount was way too low for the repair", D, NpsReason.price_dispute),
    ("定损价格太低了", D, NpsReason.price_dispute),
    ("nobody told me what to do at the scene", D, NpsReason.poor_guidance),
    ("出事了不知道该怎么办，没人指导", D, NpsReason.poor_guidance),
    ("the agent never mentioned the exclusion when i bought it", D, NpsReason.cover_not_explained),
    ("买保险的时候业务员没说清楚", D, NpsReason.cover_not_explained),
    ("the assessor was rude", D, NpsReason.staff_attitude),
    ("客服态度太差", D, NpsReason.staff_attitude),
    ("no branch near my town", D, NpsReason.few_service_points),
    ("网点太少", D, NpsReason.few_service_points),
    ("never heard of your brand", D, NpsReason.low_brand_recognition),
    ("quick payout", R, NpsReason.fast),
    ("赔得很快", R, NpsReason.fast),
    ("everything went smoothly", R, NpsReason.all_good),
    ("整体都很满意", R, NpsReason.all_good),
    ("the staff were so patient and friendly", R, NpsReason.good_attitude),
    ("理赔员很专业", R, NpsReason.professional),
    ("my cousin works there", R, NpsReason.other),
    ("", D, NpsReason.other),
])
def test_each_category(text, category, reason):
    assert classify_reason(text, category) is reason


def test_a_detractor_is_read_for_the_complaint_before_the_praise():
    assert classify_reason("the driver was nice but the payout took a month", D) is NpsReason.slow


def test_negated_praise_from_a_promoter_is_a_complaint():
    assert classify_reason("not very fast, but fine", R) is NpsReason.slow


def test_held_out_answers_in_both_languages_are_mostly_read_right():
    """The answers written apart from the rules (scripts/survey_reasons_eval.py prints the figures)."""
    import re
    from pathlib import Path

    import yaml

    answers = yaml.safe_load((Path(__file__).parents[2] / "data" / "survey_reasons_holdout.yml").read_text())["answers"]
    by_language: dict[str, list[bool]] = {"en": [], "zh": []}
    for answer in answers:
        language = "zh" if re.search(r"[\u4e00-\u9fff]", answer["text"]) else "en"
        by_language[language].append(classify_reason(answer["text"], NpsCategory(answer["branch"])).value
                                     == answer["reason"])
    for language, right in by_language.items():
        assert len(right) >= 40, language
        assert sum(right) / len(right) >= 0.75, (language, sum(right), len(right))
