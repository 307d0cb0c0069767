"""parse_mode handling: plain text, entities with UTF-16 offsets, Telegram's parse errors."""
from __future__ import annotations

import pytest

from telegram_simulator.formatting import parse
from telegram_simulator.store import ApiError


def test_html_entities_use_utf16_offsets():
    text, entities = parse("🚗 <b>索赔</b> &lt;C-1&gt; <a href='https://x.hk'>link</a>", "HTML")
    assert text == "🚗 索赔 <C-1> link"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 2},
        {"type": "text_link", "offset": 12, "length": 4, "url": "https://x.hk"},
    ]


def test_html_nesting_pre_language_and_spoiler():
    text, entities = parse('<pre><code class="language-python">x = 1</code></pre>'
                           '<i>a<u>b</u></i><span class="tg-spoiler">s</span>', "HTML")
    assert text == "x = 1abs"
    assert entities == [
        {"type": "pre", "offset": 0, "length": 5, "language": "python"},
        {"type": "italic", "offset": 5, "length": 2},
        {"type": "underline", "offset": 6, "length": 1},
        {"type": "spoiler", "offset": 7, "length": 1},
    ]


@pytest.mark.parametrize("source, reason", [
    ("a <br> b", 'Unsupported start tag "br"'),
    ("<b>bold", 'Can\'t find end tag corresponding to start tag "b"'),
    ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
    ("1 < 2", "Unexpected end of name token"),
])
def test_html_errors(source, reason):
    with pytest.raises(ApiError) as error:
        parse(source, "HTML")
    assert error.value.description.startswith("Bad Request: can't parse entities: ")
    assert reason in error.value.description


def test_markdown_v2_entities_and_escapes():
    text, entities = parse(r"*Claim* __C\-1__ `a_b` [map](https://m.hk/?q=1\)) ||x|| 100\.00", "MarkdownV2")
    assert text == "Claim C-1 a_b map x 100.00"
    assert [e["type"] for e in entities] == ["bold", "underline", "code", "text_link", "spoiler"]
    assert entities[3]["url"] == "https://m.hk/?q=1)"


def test_markdown_v2_blockquote_and_pre():
    text, entities = parse(">quoted\n>more\nafter\n```python\nprint(1)\n```", "MarkdownV2")
    assert text == "quoted\nmore\nafter\nprint(1)\n"
    assert entities == [
        {"type": "blockquote", "offset": 0, "length": 11},
        {"type": "pre", "offset": 18, "length": 9, "language": "python"},
    ]


@pytest.mark.parametrize("source, reason", [
    ("Total: 5.00", "Character '.' is reserved"),
    ("*bold", "Can't find end of Bold entity at byte offset 0"),
    ("状态 _italic", "Can't find end of Italic entity at byte offset 7"),
])
def test_markdown_v2_errors(source, reason):
    with pytest.raises(ApiError, match="can't parse entities") as error:
        parse(source, "MarkdownV2")
    assert reason in error.value.description


def test_legacy_markdown():
    text, entities = parse("*bold* _it_ `c` [l](https://x.hk) 1.5-2", "Markdown")
    assert text == "bold it c l 1.5-2"
    assert [e["type"] for e in entities] == ["bold", "italic", "code", "text_link"]
    with pytest.raises(ApiError, match="Can't find end of the entity starting at byte offset 0"):
        parse("*unclosed", "Markdown")


def test_plain_text_keeps_given_entities_and_unknown_mode_fails():
    assert parse("<b>", None) == ("<b>", [])
    assert parse("hi", None, [{"type": "bold", "offset": 0, "length": 2}])[1][0]["type"] == "bold"
    with pytest.raises(ApiError, match="unsupported parse_mode"):
        parse("hi", "BBCode")
