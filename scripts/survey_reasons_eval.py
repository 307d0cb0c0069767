"""Accuracy of the NPS reason classifier (claims/survey/reasons.py) on held-out answers, per language.

The answers in tests/data/survey_reasons_holdout.yml were written apart from the classifier's rules and are
never used to build them. Prints accuracy per language and the misread answers. Run in the app env:
`python scripts/survey_reasons_eval.py`.
"""
from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from claims.nps import NpsCategory  # noqa: E402
from claims.survey.reasons import classify_reason  # noqa: E402

CJK = re.compile(r"[\u4e00-\u9fff]")


def main() -> None:
    answers = yaml.safe_load((ROOT / "tests" / "data" / "survey_reasons_holdout.yml").read_text())["answers"]
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misread = []
    for answer in answers:
        language = "zh" if CJK.search(answer["text"]) else "en"
        got = classify_reason(answer["text"], NpsCategory(answer["branch"])).value
        total[language] += 1
        if got == answer["reason"]:
            right[language] += 1
        else:
            misread.append((language, answer["reason"], got, answer["text"]))
    for language in ("en", "zh"):
        print(f"{language}: {right[language]}/{total[language]} = {right[language] / total[language]:.3f}")
    print(f"all: {sum(right.values())}/{sum(total.values())} = {sum(right.values()) / sum(total.values()):.3f}")
    if "--misread" in sys.argv:
        for language, expected, got, text in misread:
            print(f"  {language} expected {expected:<22} got {got:<22} {text}")


if __name__ == "__main__":
    main()
