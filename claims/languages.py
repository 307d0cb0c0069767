"""Which of the bot's two languages a message is written in.

A customer is answered in the language they write, whatever their phone is set to: one Chinese word in a
message makes it Chinese ("我的claim到哪了"); two English words and no Chinese make it English. What tells
neither (a number, "ok", an emoji, a claim number or a plate, a button) keeps the language as it was.
"""
from __future__ import annotations

import re

from claims.enums import Language

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Identifiers carry letters (and a plate a province character) but say nothing about the language.
_IDENTIFIERS = re.compile(
    r"\b(?:clm|pmv)[\s-]?\d{4}[\s-]?\d{1,7}\b"
    r"|[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-Za-z][·\s-]?[A-Za-z0-9]{5,6}",
    re.IGNORECASE,
)
_WORD = re.compile(r"[A-Za-z]{2,}")
MIN_HAN = 2  # one character is as often a stray symbol or a name as a sentence
MIN_ENGLISH_WORDS = 2


def written_language(message: str) -> Language | None:
    """The language the message is written in, or None when it does not tell."""
    if not message or message.startswith("/"):  # a command or a button's payload
        return None
    plain = _IDENTIFIERS.sub(" ", message)
    if len(_HAN.findall(plain)) >= MIN_HAN:
        return Language.zh
    if len(_WORD.findall(plain)) >= MIN_ENGLISH_WORDS:
        return Language.en
    return None
