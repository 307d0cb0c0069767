"""Reading the answers a policyholder types to the accident-report questions, in English and Chinese."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from functools import partial
from typing import Any, Generic, Protocol, Sequence, TypeVar
from zoneinfo import ZoneInfo

from claims.clock import require_aware
from claims.enums import ThirdParty
from claims.triage import EstimateBand, band_for_amount
from claims.vehicles import PROVINCES, normalise_plate

T = TypeVar("T")


class AnswerProblem(str, Enum):
    """Why an answer cannot be taken as typed; the bot asks again and says why."""

    unclear = "unclear"  # could not read it as an answer to this question
    need_time = "need_time"  # a date without a time of day: ask for the time, keep the date
    in_future = "in_future"
    before_policy = "before_policy"  # before the policy started
    after_policy = "after_policy"  # after the policy ended
    too_short = "too_short"  # a description or address too short to be useful
    too_long = "too_long"
    unknown_vehicle = "unknown_vehicle"


@dataclass(frozen=True)
class Answer(Generic[T]):
    """A value read from the customer's text, or the problem that stopped it."""

    value: T | None = None
    problem: AnswerProblem | None = None
    known_date: date | None = None  # only for need_time: the date already understood

    @property
    def ok(self) -> bool:
        """True when the text answered the question (the value may still be None: no police report)."""
        return self.problem is None


_UNCLEAR: Answer[Any] = Answer(problem=AnswerProblem.unclear)
_TOO_SHORT: Answer[Any] = Answer(problem=AnswerProblem.too_short)
_TOO_LONG: Answer[Any] = Answer(problem=AnswerProblem.too_long)
_UNKNOWN_VEHICLE: Answer[int] = Answer(problem=AnswerProblem.unknown_vehicle)


def _clean(text: str | None) -> str:
    """NFKC (full-width digits and letters from Chinese keyboards), whitespace collapsed and stripped."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def _plain(text: str | None) -> str:
    """`_clean`, lower case, without the punctuation people end a short answer with."""
    return _clean(text).lower().strip(" .,!?;~。、…")


# ------------------------------------------------------------------------------------ Chinese numerals

_CN_DIGITS = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9)))
_CN_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_CN_NUMBER = re.compile("[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万]*")


def _cn_int(word: str) -> int:
    """一 -> 1, 十一 -> 11, 二十三 -> 23, 三千 -> 3000, 一万五 -> 15000, 二零二六 -> 2026."""
    if not any(ch in _CN_UNITS for ch in word):
        return int("".join(str(_CN_DIGITS[ch]) for ch in word))
    total = section = digit = 0
    unit = 1
    for ch in word:
        if ch in _CN_DIGITS:  # after 零, a digit counts in ones: 一百零五
            digit, unit = _CN_DIGITS[ch], (1 if ch in "零〇" else unit)
        elif ch == "万":
            total, section, digit, unit = (total + section + digit) * 10000, 0, 0, 10000
        else:
            unit = _CN_UNITS[ch]
            section, digit = section + (digit or 1) * unit, 0
    return total + section + digit * (unit // 10 if unit > 10 else 1)  # 一万五 is 15000, 三千五 is 3500


def _with_arabic_numbers(text: str) -> str:
    """Chinese numerals replaced by digits (units written as 千/万 after a digit are left to the caller)."""
    return _CN_NUMBER.sub(lambda match: str(_cn_int(match.group())), text)


_EN_ONES = {word: n for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_EN_NUMBER = re.compile(
    r"\b(?:(?P<tens>twenty|thirty|forty|fifty)(?:[\s-](?P<unit>one|two|three|four|five|six|seven|eight|nine))?"
    r"|(?P<ones>" + "|".join(sorted(_EN_ONES, key=len, reverse=True)) + r"))\b")


def _english_number(match: re.Match[str]) -> str:
    if match["ones"]:
        return str(_EN_ONES[match["ones"]])
    return str(_EN_TENS[match["tens"]] + (_EN_ONES[match["unit"]] if match["unit"] else 0))


def _with_english_numbers(text: str) -> str:
    """Spelled-out English numbers up to 59 replaced by digits: "twenty minutes ago" is 20 minutes ago."""
    return _EN_NUMBER.sub(_english_number, text)


# ------------------------------------------------------------------------------------ when it happened

_FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks differ and people round up
_AGO = re.compile(
    r"(?<![a-z])(?P<n>\d+(?:\.\d+)?|half an?|an?|one|a few|a couple of|few|several|几|半)\s*个?(?P<half>半)?\s*"
    r"(?P<unit>minutes?|mins?|hours?|hrs?|分钟|分|小时|钟头)\s*(?:ago|前|之前|以前)")
_AGO_COUNTS = {"half a": 0.5, "half an": 0.5, "半": 0.5, "a": 1, "an": 1, "one": 1, "a couple of": 2,
               "a few": 3, "few": 3, "several": 3, "几": 3}
_DAYS_AGO = re.compile(r"(?<![\d.])(\d{1,3})\s*(?:days? ago|天前|天之前)")
_RELATIVE_DAYS = ((re.compile(r"tomorrow|明天|明早|明晚"), -1),  # read only to say it is in the future
                  (re.compile(r"day before yesterday|前天"), 2), (re.compile(r"yesterday|last night|昨"), 1),
                  (re.compile(r"today|this (?:morning|afternoon|evening)|tonight|今"), 0))
_MONTHS = {"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
           "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
           "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12}
_MONTH = r"\b(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DATES = tuple(re.compile(pattern) for pattern in (
    r"(?<!\d)(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})(?!\d)\s*[日号]?",
    r"(?<![\d.])(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})(?!\d)",  # day first, as in identity
    r"(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?",
    _MONTH + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s*(?P<y>\d{4})\b)?",
    r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"\b(?:,?\s*(?P<y>\d{4})\b)?",
))
_CLOCKS = tuple(re.compile(pattern) for pattern in (
    r"(?<![\d.])(?P<h>\d{1,2})\s*[:.]\s*(?P<m>\d{2})(?!\d)",
    r"(?<!\d)(?P<h>\d{1,2})\s*[点點时時]\s*(?:(?P<half>半)|(?P<m>\d{1,2})\s*分?)?",
    r"(?<![\d.])(?P<h>\d{1,2})\s*(?:am\b|pm\b|a\.m\.?|p\.m\.?|o'?clock|h\b)",
    r"(?:\bat|\baround|\babout|\bapprox\w*|~|@)\s*(?P<h>\d{1,2})(?![\d:.])",
))
_BARE_HOUR = re.compile(r"(?<![\d.:])(?P<h>\d{1,2})(?![\d.:])")
_NOON = re.compile(r"\b(?:noon|midday|midnight)\b")  # 12, and midnight is 12 at night
_JUST_NOW = re.compile(r"\b(?:just now|right now|now)\b|刚|现在|此刻")
_PERIODS = (  # first match wins: "last night at 2am" is the night's, afternoon is not noon
    ("night", re.compile(r"(?<!傍)晚|夜|night")),
    ("small_hours", re.compile(r"凌晨|\d\s*(?:am\b|a\.m\.?)")),
    ("noon", re.compile(r"中午|(?<!after)noon|midday")),
    ("evening", re.compile(r"下午|傍晚|afternoon|evening|\d\s*(?:pm\b|p\.m\.?)")),
    ("morning", re.compile(r"上午|早|morning")),
)


def _ago(match: re.Match[str]) -> timedelta:
    """How long ago "10 minutes ago", "half an hour ago", "一个半小时前" was."""
    amount = (_AGO_COUNTS.get(match["n"]) or float(match["n"])) + (0.5 if match["half"] else 0)
    return timedelta(hours=amount) if match["unit"].startswith(("h", "小", "钟")) else timedelta(minutes=amount)


def _nearest(month: int, day: int, today: date) -> date:
    """A date typed without its year: this year's or last year's, whichever is nearer to today."""
    candidates = []
    for year in (today.year - 1, today.year):
        with suppress(ValueError):  # 29 February; min() of none raises ValueError too
            candidates.append(date(year, month, day))
    return min(candidates, key=lambda candidate: abs(candidate - today))


def _find_date(text: str, today: date) -> tuple[date | None, str]:
    """The calendar date the text names, and the text without it (so its digits are not read as a time)."""
    if match := _DAYS_AGO.search(text):
        return today - timedelta(days=int(match[1])), text[:match.start()] + " " + text[match.end():]
    for pattern in _DATES:
        if match := pattern.search(text):
            parts = match.groupdict()
            month = _MONTHS[parts["mon"]] if parts.get("mon") else int(parts["m"])
            found = (date(int(parts["y"]), month, int(parts["d"])) if parts.get("y")
                     else _nearest(month, int(parts["d"]), today))
            return found, text[:match.start()] + " " + text[match.end():]
    for pattern, days_back in _RELATIVE_DAYS:
        if match := pattern.search(text):
            return today - timedelta(days=days_back), text[:match.start()] + " " + text[match.end():]
    return None, text


def _find_clock(text: str, *, with_context: bool) -> tuple[int, int] | None:
    """Hour and minute as typed (before am/pm), or None; a lone number counts only `with_context`."""
    for pattern in _CLOCKS:
        if match := pattern.search(text):
            parts = match.groupdict()
            minute = 30 if parts.get("half") else int(parts.get("m") or 0)
            return int(parts["h"]), minute
    if _NOON.search(text):
        return 12, 0
    if with_context or text.strip().isdigit():
        if match := _BARE_HOUR.search(text):
            return int(match["h"]), 0
    return None


def _hour_in_period(hour: int, period: str | None) -> tuple[int, int]:
    """(hour, days later): 3pm and 下午3点 are 15:00, 中午1点 13:00, 凌晨12点 00:00, 昨晚2点 02:00 the day after."""
    if period == "night" and (hour <= 4 or hour == 12):
        return hour % 12, 1
    if (period in ("evening", "night") and 1 <= hour <= 11) or (period == "noon" and 1 <= hour <= 2):
        return hour + 12, 0
    return (0 if period == "small_hours" and hour == 12 else hour), 0


def _checked(moment: datetime | date, *, now: datetime, policy_start: date | None,
             policy_end: date | None) -> Answer[datetime]:
    """The answer for a moment (or for a date still needing its time) once it is checked against the cover."""
    day = moment.date() if isinstance(moment, datetime) else moment
    if moment > now + _FUTURE_TOLERANCE if isinstance(moment, datetime) else day > now.date():
        return Answer(problem=AnswerProblem.in_future)
    if policy_start is not None and day < policy_start:
        return Answer(problem=AnswerProblem.before_policy)
    if policy_end is not None and day > policy_end:
        return Answer(problem=AnswerProblem.after_policy)
    if isinstance(moment, datetime):
        return Answer(value=moment)
    return Answer(problem=AnswerProblem.need_time, known_date=day)


def parse_incident_time(text: str, *, now: datetime, tz: ZoneInfo, policy_start: date | None = None,
                        policy_end: date | None = None, known_date: date | None = None) -> Answer[datetime]:
    """When the accident happened, as an aware datetime in `tz`; a date alone asks for the time."""
    local_now = require_aware(now).astimezone(tz).replace(second=0, microsecond=0)
    text = _with_english_numbers(_with_arabic_numbers(_plain(text).replace("一刻", "15分").replace("三刻", "45分")))
    if not text or len(text) > 200:  # an answer, not a story
        return _UNCLEAR
    checked = partial(_checked, now=local_now, policy_start=policy_start, policy_end=policy_end)
    try:
        if match := _AGO.search(text):
            return checked(local_now - _ago(match))
        day, rest = _find_date(text, local_now.date())
        period = next((name for name, pattern in _PERIODS if pattern.search(text)), None)
        clock = _find_clock(rest, with_context=day is not None or period is not None)
        if clock is None and day is None:
            return checked(local_now) if _JUST_NOW.search(text) else _UNCLEAR
        if clock is None:
            return checked(day)
        hour, minute = clock
        if hour > 23 or minute > 59:
            return _UNCLEAR
        hour, later = _hour_in_period(hour, period)
        if day is None:  # the text wins over the date already given; only its own evening runs past midnight
            day, later = known_date or local_now.date(), 0
        return checked(datetime.combine(day + timedelta(days=later), time(hour, minute), tzinfo=tz))
    except (ValueError, OverflowError):  # 30 February, ten million hours ago
        return _UNCLEAR


# ------------------------------------------------------------------------------ who else was involved

_NO_THIRD_PARTY = re.compile(
    r"^(?:no|nope|none|nothing|n|没有|没|无|否|自己|我自己)$"  # the whole answer, or said in a sentence:
    r"|\b(?:no ?(?:body|one)(?: else)?|just me|only me|(?:only|just) my (?:own )?(?:car|vehicle)|single[- ]vehicle"
    r"|no third party|no other (?:car|vehicle|party|one|people))\b"
    r"|没有第三方|没有其他|没有其它|没有别|没有人|没人|单方|就我自己|只有我|单车事故")
_OWN_CAR = re.compile(r"\bmy (?:own )?(?:car|vehicle)\b|我的车|我车|自己的车")
_THIRD_PARTY_WORDS = {
    ThirdParty.other_vehicle: re.compile(
        r"\b(?:cars?|vehicles?|taxis?|cabs?|trucks?|lorry|lorries|vans?|bus|buses|suvs?|motorbikes?|"
        r"motorcycles?|drivers?)\b"
        r"|对方车|对方的车|别的车|别人的车|他人车|其他车|其它车|两车|三车|三者车|出租车|货车|卡车|公交|大巴|面包车|"
        r"轿车|另一辆|追尾|摩托"),
    ThirdParty.property: re.compile(
        r"\b(?:walls?|fences?|guard ?rails?|barriers?|poles?|posts?|pillars?|columns?|gates?|trees?|buildings?|"
        r"houses?|shops?|bollards?|signs?|lamp ?posts?|property|kerbs?|curbs?|railings?)\b"
        r"|护栏|栏杆|围栏|墙|电线杆|路灯|杆|柱|树|门|房子|房屋|建筑|财产|东西|物品|设施|隔离带|花坛|广告牌"),
    ThirdParty.pedestrian: re.compile(
        r"\b(?:pedestrians?|persons?|people|man|woman|child|children|kids?|cyclists?|bicycles?|bikes?|"
        r"scooters?|riders?|walkers?|boy|girl)\b"
        r"|行人|路人|骑|电动车|电瓶车|自行车|老人|小孩|孩子|(?<![别他])人(?!的)"),
}


def parse_third_party(text: str) -> Answer[ThirdParty]:
    """Who or what else was involved; unclear when the text names none, or more than one kind."""
    said = _plain(text)
    if said in {kind.value for kind in ThirdParty}:  # a button payload
        return Answer(value=ThirdParty(said))
    if _NO_THIRD_PARTY.search(said):
        return Answer(value=ThirdParty.none)
    said = _OWN_CAR.sub(" ", said)  # "my car hit a wall" is about the wall
    kinds = [kind for kind, words in _THIRD_PARTY_WORDS.items() if words.search(said)]
    return Answer(value=kinds[0]) if len(kinds) == 1 else _UNCLEAR


# -------------------------------------------------------------------------------------- can it be driven

_NOT_DRIVABLE = re.compile(
    r"^(?:no|nope|nah|n|false|不|否|不行|没法)$|can'?t|cannot|can not|won'?t|will not|doesn'?t|does not"
    r"|\bnot (?:drivable|driveable|driving|moving)|undrivable|\btow(?:ed|ing)?\b|broken down|\bstuck\b"
    r"|不能|不可以|开不了|动不了|走不了|拖车|无法|没法开|坏了|打不着|启动不了")
_DRIVABLE = re.compile(
    r"^(?:yes|y|yeah|yep|yup|sure|ok|okay|true|是|是的|能|可以|对|嗯|好|行|没事)$"
    r"|\b(?:it drives|can drive|drivable|driveable|still driv\w*|drives fine|runs fine|i drove|no problem)\b"
    r"|能开|可以开|能动|能走|没问题|可以行驶|能行驶")


def parse_drivable(text: str) -> Answer[bool]:
    """Whether the car can still be driven (a "no" is read first: "not drivable" contains "drivable")."""
    said = _plain(text)
    if _NOT_DRIVABLE.search(said):
        return Answer(value=False)
    return Answer(value=True) if _DRIVABLE.search(said) else _UNCLEAR


# ------------------------------------------------------------------------------------- repair estimate

_ESTIMATE_UNKNOWN = re.compile(
    r"\b(?:(?:don'?t|do not) know|not sure|no idea|unsure|idk|no clue|dunno)\b|不知道|不清楚|说不好|不确定|不好说")
_NUMBER = r"(\d+(?:\.\d+)?)\s*(k|千|万|w)?"
_RANGE = re.compile(_NUMBER + r"\s*(?:-|~|to|and|到|至|—|–)\s*" + _NUMBER)
_AMOUNT = re.compile(_NUMBER)
_NEGATIVE = re.compile(r"\D*(?:-|minus|负)\s*\d")  # a minus before the first digit
_BELOW = re.compile(
    r"\b(?:under|less than|below|at most|up to|no more than|not more than)\b|<|以下|以内|之内|不到|不超过|低于|少于")
_ABOVE = re.compile(r"\b(?:over|more than|above|at least)\b|>|\+|以上|超过|多于|不止|高于")
_MULTIPLIERS = {None: 1, "k": 1000, "千": 1000, "万": 10000, "w": 10000}


def _amount(number: str, unit: str | None) -> Decimal:
    return Decimal(number) * _MULTIPLIERS[unit]


def parse_estimate_band(text: str) -> Answer[EstimateBand]:
    """The customer's rough repair-cost estimate as a band; "don't know" is a valid answer (unknown)."""
    said = _plain(text)
    if said in {band.value for band in EstimateBand}:  # a button payload
        return Answer(value=EstimateBand(said))
    if _ESTIMATE_UNKNOWN.search(said):
        return Answer(value=EstimateBand.unknown)
    said = _with_arabic_numbers(re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", said))  # 3,000 and 三千
    if len(said) > 100 or _NEGATIVE.match(said):
        return _UNCLEAR
    if match := _RANGE.search(said):  # 2000-5000: the top of the range decides the band
        low, amount = _amount(match[1], match[2]), _amount(match[3], match[4])
        if low > amount:
            return _UNCLEAR
    elif match := _AMOUNT.search(said):
        amount = _amount(match[1], match[2])
        if not _BELOW.search(said) and _ABOVE.search(said):
            amount += Decimal("0.01")  # "over 2000" is in the band above 2000
    else:
        return _UNCLEAR
    return Answer(value=band_for_amount(amount)) if amount > 0 else _UNCLEAR


# --------------------------------------------------------------------------------- police report number

_NO_REPORT = re.compile(
    r"none|no|nope|n/?a|skip|no report|not yet|(?:i )?(?:don'?t|do not) have(?: one| it)?|"
    r"没有|无|跳过|还没有|还没|没|暂无|没报警")
_REPORT_NUMBER = re.compile(r"[A-Z0-9/\-]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


# "not yet, the police are on their way", "还没有，交警还没到": no number, said in a sentence.
_NO_REPORT_SAID = re.compile(
    r"^(?:(?:no|nope|nah|none|not yet|no report|not any|(?:i )?(?:don'?t|do not|didn'?t) (?:have|get)|"
    r"haven'?t|police (?:are|is) (?:coming|on (?:their|the) way))\b|没有|还没|没|暂无|无|交警还没|警察还没)")


def parse_police_report_number(text: str) -> Answer[str]:
    """The police report number, uppercase without spaces; no number (value None) is a valid answer."""
    if _NO_REPORT.fullmatch(_plain(text)):
        return Answer()
    number = re.sub(r"\s+", "", _clean(text)).upper()
    digits = sum(ch.isdigit() for ch in number)
    if digits < 4 and _NO_REPORT_SAID.search(_plain(text)):
        return Answer()
    if _REPORT_NUMBER.fullmatch(number) and digits >= 4:
        if len(number) > 30:
            return _TOO_LONG
        return Answer(value=number) if len(number) >= 6 else _UNCLEAR
    if _CJK.search(number) and digits >= 6:  # 沪公交认字[2026]第00123号
        return _TOO_LONG if len(number) > 40 else Answer(value=number)
    return _UNCLEAR


# ------------------------------------------------------------------------------ description and address

_LATIN_WORD = re.compile(r"[a-z]{2,}", re.IGNORECASE)
_MAX_DESCRIPTION, _MAX_ADDRESS = 2000, 300
_UNKNOWN_PLACE = re.compile(r"\b(?:idk|dunno|no idea|not sure|(?:don'?t|do not) know)\b|不知道|不清楚|不确定")


def check_description(text: str) -> Answer[str]:
    """What happened, whitespace collapsed; refused when too short to help an adjuster or nonsense."""
    cleaned = _clean(text)
    if len(cleaned) > _MAX_DESCRIPTION:
        return _TOO_LONG
    chars = cleaned.replace(" ", "").casefold()
    # nonsense: no letters at all (digits, emoji), or one character over and over ("aaaaaaa", "哈哈哈哈哈")
    if not any(ch.isalpha() for ch in chars) or Counter(chars).most_common(1)[0][1] / len(chars) > 0.6:
        return _UNCLEAR
    if len(_CJK.findall(cleaned)) < 4 and len(_LATIN_WORD.findall(cleaned)) < 3:
        return _TOO_SHORT
    return Answer(value=cleaned)


def check_address(text: str) -> Answer[str]:
    """A typed place of the accident, whitespace collapsed; at least 4 letters, digits or characters."""
    cleaned = _clean(text)
    if len(cleaned) > _MAX_ADDRESS:
        return _TOO_LONG
    meaningful = [ch for ch in cleaned if ch.isalnum()]
    if not meaningful or all(ch.isdigit() for ch in meaningful) or _UNKNOWN_PLACE.search(cleaned.lower()):
        return _UNCLEAR
    if len(meaningful) >= 4 or len(_CJK.findall(cleaned)) >= 3:  # 淮海路 is an address
        return Answer(value=cleaned)
    return _TOO_SHORT


_COORDINATES = re.compile(r"(-?\d{1,3}(?:\.\d+)?)\s*[,\s]\s*(-?\d{1,3}(?:\.\d+)?)")


def describe_coordinates(latitude: float, longitude: float) -> str:
    """A shared location as a slot value: "31.23040, 121.47370" (5 decimals, about a metre)."""
    return f"{latitude:.5f}, {longitude:.5f}"


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """The (latitude, longitude) in a slot value; None when malformed or out of range."""
    if (match := _COORDINATES.fullmatch(_clean(text))) is None:
        return None
    latitude, longitude = float(match[1]), float(match[2])
    return (latitude, longitude) if -90 <= latitude <= 90 and -180 <= longitude <= 180 else None


# ------------------------------------------------------------------------------------------ which car


class VehicleChoice(Protocol):
    """What match_vehicle needs of a vehicle (claims.models.Vehicle has it)."""

    id: int
    plate_number: str
    make: str
    model: str


_PLATE_NOISE = re.compile(r"[\s·•・‧.\-_]+")
_ORDINALS = ("last", "first", "second", "third", "fourth", "fifth")  # the index is the position
_ORDINAL = re.compile(
    r"\b(?:(" + "|".join(_ORDINALS) + r")|(\d{1,2})(?:st|nd|rd|th))\b|第\s*(\d{1,2})|^#?(\d{1,2})$")
_PLATE_TAIL = re.compile(r"[A-Z0-9]{3,}")


def _plates_in(text: str) -> set[str]:
    """Well-formed plates in the text however spaced (a 7- or 8-character plate from each province)."""
    compact = _PLATE_NOISE.sub("", text).upper()
    found = {normalise_plate(compact[i:i + n]) for i, ch in enumerate(compact) if ch in PROVINCES for n in (7, 8)}
    return {plate for plate in found if plate}


def _position(said: str, count: int) -> int | None:
    """The 0-based index for "2", "the second one", "第二辆"; None when none or out of range."""
    if (match := _ORDINAL.search(_with_arabic_numbers(said))) is None:
        return None
    if match[1] == "last":
        return count - 1
    number = _ORDINALS.index(match[1]) if match[1] else int(match[2] or match[3] or match[4])
    return number - 1 if 1 <= number <= count else None


def _names(said: str, vehicle: VehicleChoice) -> int:
    """How many of the vehicle's make and model the text mentions as words."""
    names = (name.lower() for name in (vehicle.make, vehicle.model) if name)
    return sum(bool(re.search(rf"(?<![a-z0-9]){re.escape(name)}(?![a-z0-9])", said)) for name in names)


def _only(ids: set[int]) -> Answer[int] | None:
    return Answer(value=next(iter(ids))) if len(ids) == 1 else None


def match_vehicle(text: str, vehicles: Sequence[VehicleChoice]) -> Answer[int]:
    """The id of the insured vehicle the customer means: plate, end of plate, position, make or model."""
    said = _plain(text)
    if not said or not vehicles:
        return _UNKNOWN_VEHICLE
    plates = {normalise_plate(vehicle.plate_number) or vehicle.plate_number.upper(): vehicle.id
              for vehicle in vehicles}
    if typed := _plates_in(said):  # a whole plate decides, even when it is not one of theirs
        return _only({plates[plate] for plate in typed if plate in plates}) or _UNKNOWN_VEHICLE
    if (index := _position(said, len(vehicles))) is not None:
        return Answer(value=vehicles[index].id)
    tails = _PLATE_TAIL.findall(said.upper())
    if found := _only({vid for plate, vid in plates.items() for tail in tails if plate.endswith(tail)}):
        return found
    scores = {vehicle.id: _names(said, vehicle) for vehicle in vehicles}
    best = max(scores.values())
    named = _only({vid for vid, score in scores.items() if score == best}) if best else None
    return named or _UNKNOWN_VEHICLE


# ----------------------------------------------------------------------- what the customer already said
# The message that starts a report ("a white SUV rear-ended me at the lights on Huaihai Road twenty minutes
# ago"), and every answer, is read for the report's other fields, so that the form asks only for what is
# still missing. These readers are stricter than the answers to a question: a word that only suggests a
# field ("can't" in "I can't believe it") fills nothing, and the summary shows everything for confirmation.

_COLLISION = re.compile(
    r"\b(?:rear[- ]?ended|hit|hits|crashed|crash|collided|bumped|scraped|smashed|ran into|backed into|reversed into|"
    r"swiped|sideswiped|t-?boned|dented|knocked)\b"
    r"|撞|追尾|刮|蹭|碰|怼|剐|擦|顶了|亲了")
_PLACE_EN = re.compile(
    r"\b(?:on|at|in|near|along|off)\s+(?:the\s+)?(?P<place>(?:[A-Z0-9][\w'-]*\s+){1,4}"
    r"(?:Road|Rd|Street|St|Avenue|Ave|Highway|Hwy|Expressway|Boulevard|Blvd|Bridge|Tunnel|Lu|Jie|Dadao|"
    r"Ring Road|Interchange|Square|Mall|Plaza|Centre|Center|Station|Airport|car ?park|parking lot)\b(?:\s+(?:and|&)\s+(?:[A-Z0-9][\w'-]*\s+){0,3}"
    r"(?:Road|Rd|Street|St|Lu))?)")
_PLACE_ZH = re.compile(
    r"(?:在|于|经过|走到)(?P<place>[\u4e00-\u9fffA-Za-z0-9]{2,14}?(?:路口|路|街|大道|高速|高架|大桥|桥|隧道|"
    r"环线|立交|广场|停车场|地库|小区|商场|收费站|服务区)(?:口|红绿灯|附近|旁边|交叉口)?)")
# "I just had an accident" / "我刚出了个事故" only says that it happened, not when: the time question is asked.
# "someone just rear-ended me" / "刚在延安高架被追尾了" tells of the collision as it happens: now.
_VAGUE_JUST = re.compile(r"刚刚|刚才|刚|\bjust\b(?! now)")
_JUST_HAPPENED = re.compile(
    r"\bjust (?:got |been )?(?:rear[- ]?ended|hit|crashed|bumped|scraped|smashed|ran into|backed into)"
    r"|刚(?:刚|才)?.{0,12}?(?:被|给)?(?:追尾|撞|刮|蹭|碰|怼)")
_REAR_ENDED = re.compile(r"\brear[- ]?end(?:ed)?\b|\bfrom behind\b")
_STRONGLY_NOT_DRIVABLE = re.compile(
    r"\b(?:can'?t|cannot|can not) (?:drive|move) (?:it|the car)|\b(?:car|it) (?:won'?t|doesn'?t|will not|does not) "
    r"(?:start|move|drive)|not drivable|undrivable|\bneeds? (?:a )?tow"
    r"|开不了|动不了|走不了|没法开|不能开了|需要拖车|打不着火|启动不了")
_STRONGLY_DRIVABLE = re.compile(
    r"\bstill (?:drivable|driveable|drives|runs)|\bcan (?:still )?drive it|\bdrove (?:it )?(?:home|away|off)"
    r"|还能开|能正常开|车还能走")
_INJURY_WORDS = re.compile(  # "nobody is hurt" says nothing about a pedestrian being involved
    r"\b(?:no ?(?:body|one)|everyone|people|we)(?:'s| is| are| was| were)? (?:hurt|injured|fine|ok|okay|safe)\b"
    r"|没人受伤|没有人受伤|人没事|人都没事|都没事|没事")


# Whether anyone is hurt, when the first message already says so ("no one's hurt", "我老婆受伤了"): the safety
# question is then not asked. Spans that say nobody is hurt are removed before looking for an injury, so
# "I'm not hurt but my passenger is bleeding" still reads as hurt, and "nobody hurt" never does.
_NOBODY_HURT = re.compile(
    r"\b(?:no ?(?:body|one)|no-one|none of us)(?:'s| is| was| were| got| has been| seems?)? ?(?:(?:badly|seriously) )?"
    r"(?:hurt|injured|harmed)\b"
    r"|\b(?:no|without|zero) (?:injur(?:y|ies)|casualties)\b"
    r"|\b(?:every(?:one|body)|we|we all|both of us|all of us|i)(?:'re|'s|'m| are| is| am| were| was| seem)? (?:all )?"
    r"(?:ok|okay|fine|safe|alright|all right|unhurt|uninjured|not hurt|not injured|good)\b"
    r"|\b(?:i'?m|i am|we'?re|we are|everyone'?s?|nobody'?s?) (?:not |un)(?:hurt|injured)\b"
    r"|没(?:有)?人受伤|无人受伤|(?:人|人员|大家|我们|我)(?:都|也|倒是)?(?:没事|没受伤|没有受伤|安全|平安|挺好|还好|无碍)"
    r"|(?:没有|无)(?:人员)?伤亡|人(?:员)?无(?:伤亡|碍|恙)|都没受伤|没受伤")
_SOMEONE_HURT = re.compile(
    r"\b(?:hurts?|injur(?:ed|y|ies)|bleeding|bled|unconscious|passed out|ambulance|broken (?:arm|leg|bone|neck|rib)s?"
    r"|in (?:hospital|the er)|paramedics?|can'?t move (?:his|her|my) (?:neck|leg|arm))\b"
    r"|受伤|受了伤|伤了|流血|出血|骨折|昏迷|晕过去|救护车|送医院|住院|伤者|伤员|撞伤|擦伤|打了?120")


def said_injuries(text: str) -> bool | None:
    """True when the message says someone is hurt, False when it says nobody is, None when it says neither. An
    injury anywhere wins: "we're fine, the other driver is bleeding" is True."""
    plain = _plain(text).replace("’", "'")
    rest = _NOBODY_HURT.sub(" ", plain)
    if _SOMEONE_HURT.search(rest):
        return True
    return False if rest != plain else None


def said_incident_time(text: str, *, now: datetime, tz: ZoneInfo) -> str | None:
    """The text, when it says when the accident happened (the form's time question reads it as its answer)."""
    if _JUST_HAPPENED.search(_plain(text)):
        return "just now"
    if text and parse_incident_time(_VAGUE_JUST.sub(" ", text), now=now, tz=tz).ok:
        return text
    return None


def said_place(text: str) -> str | None:
    """A road, junction or landmark named in a sentence: "on Huaihai Road", "在淮海路口"."""
    cleaned = _clean(text)
    match = _PLACE_EN.search(cleaned) or _PLACE_ZH.search(cleaned)
    return match["place"].strip() if match and check_address(match["place"]).ok else None


def said_description(text: str) -> str | None:
    """The whole message, when it tells how the accident happened (a collision, not just "I had an accident")."""
    checked = check_description(text)
    return checked.value if checked.ok and _COLLISION.search(_plain(text)) else None


def said_third_party(text: str) -> str | None:
    """Another vehicle or someone's property, when the sentence names one kind; a pedestrian or "nobody else"
    is left for the question, which asks it plainly. (The form reads it from the report's first message only.)"""
    said = _OWN_CAR.sub(" ", _INJURY_WORDS.sub(" ", _plain(text)))
    kinds = [kind for kind, words in _THIRD_PARTY_WORDS.items() if words.search(said)]
    if not kinds and _REAR_ENDED.search(said):  # only another vehicle rear-ends one
        kinds = [ThirdParty.other_vehicle]
    if len(kinds) == 1 and kinds[0] in (ThirdParty.other_vehicle, ThirdParty.property):
        return kinds[0].value
    return None


def said_drivable(text: str) -> str | None:
    """"no" or "yes" when the sentence says plainly whether the car can be driven."""
    said = _plain(text)
    if _STRONGLY_NOT_DRIVABLE.search(said):
        return "no"
    return "yes" if _STRONGLY_DRIVABLE.search(said) else None
