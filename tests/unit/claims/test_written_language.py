"""Which language a message is written in (claims/languages.py)."""
from __future__ import annotations

import pytest

from claims.enums import Language
from claims.languages import written_language


@pytest.mark.parametrize("message", [
    "我的claim到哪了", "出车祸了", "帮我check一下进度", "CLM-2026-000123 到哪一步了", "沪A6K215 被追尾了",
    "hi 你好", "理陪多久到账？？", "有人吗",
])
def test_a_message_with_chinese_words_is_chinese(message):
    assert written_language(message) is Language.zh


@pytest.mark.parametrize("message", [
    "where is my claim", "a white SUV rear-ended me", "no we're fine", "HELP PLS", "my plate is 沪A6K215 thanks",
    "CLM-2026-000123 any news?",
])
def test_english_words_and_no_chinese_are_english(message):
    assert written_language(message) is Language.en


@pytest.mark.parametrize("message", [
    "", "ok", "9", "👍👍", "CLM-2026-000123", "沪A6K215", "PMV-2026-0000123 1988-04-12", "/affirm",
    '/choose_answer{"report_answer": "tow"}', "张", "Tesla", "3k",
])
def test_what_tells_neither_keeps_the_language(message):
    assert written_language(message) is None
