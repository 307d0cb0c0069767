"""Reading the 0-10 answer as people type it, in English and Chinese."""
import pytest

from claims.survey.scores import ScoreProblem, ScoreReading, read_score


@pytest.mark.parametrize("text, score", [
    ("9", 9), ("0", 0), ("10", 10), ("nine", 9), ("Ten", 10), ("zero", 0), ("9/10", 9), ("9 / 10", 9),
    ("10 out of 10", 10), ("8 of 10", 8), ("eight out of ten", 8), ("a solid eight", 8), ("full marks", 10),
    ("i'd give you a 7", 7), ("九分", 9), ("打8分", 8), ("满分", 10), ("零分", 0), ("给十分", 10), ("十分", 10),
    ("打个7分吧", 7), ("评分：9", 9), ("10 分", 10), ("两分", 2), ("1", 1),
])
def test_a_score_alone(text, score):
    assert read_score(text) == ScoreReading(score, "")


@pytest.mark.parametrize("text, score, rest", [
    ("7, the payout took too long", 7, "the payout took too long"),
    ("9 - paid within 2 days", 9, "paid within 2 days"),
    ("8 out of 10, took 3 days", 8, "took 3 days"),
    ("给你们打两分 太慢了", 2, "太慢了"),
    ("5分吧，定损太慢", 5, "定损太慢"),
    ("8分，满分10分", 8, ""),
    ("zero, awful", 0, "awful"),
])
def test_what_follows_the_score_is_kept_as_the_reason(text, score, rest):
    assert read_score(text) == ScoreReading(score, rest)


@pytest.mark.parametrize("text, problem", [
    ("", ScoreProblem.none_found), ("not sure", ScoreProblem.none_found), ("不推荐", ScoreProblem.none_found),
    ("十分满意", ScoreProblem.none_found),  # 十分 here is "very", not ten points
    ("no one called me back", ScoreProblem.none_found),  # "one" inside a sentence is not a score
    ("11", ScoreProblem.out_of_range), ("100", ScoreProblem.out_of_range), ("-1", ScoreProblem.out_of_range),
    ("7.5", ScoreProblem.out_of_range),
    ("7 or 8", ScoreProblem.ambiguous), ("7-8", ScoreProblem.ambiguous), ("七到八分", ScoreProblem.ambiguous),
])
def test_no_score_or_no_single_score(text, problem):
    assert read_score(text) is problem
