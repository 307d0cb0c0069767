"""Reading a stranded driver's words, in English and Simplified Chinese: which service, whether it is
dangerous where they are, and where that is.

Pure functions, no I/O. Each reader prefers saying nothing (None, or a refused location) to guessing:
the bot then asks, with buttons where it can, and a question costs less than a truck sent for the wrong
job or to the wrong place.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from enum import Enum

from claims.enums import ServiceType
from claims.vehicles import PROVINCES

# =================================================================================== keyword tables
# Patterns are matched on `_plain` text: NFKC (full-width letters and digits from Chinese keyboards),
# lower case, curly apostrophes straightened, whitespace collapsed.

_BATTERY = r"(?:batt?[ae]?r(?:y|ie|i)s?|batt)(?:'s)?"  # battery, batery, battary, battry, batt
_TYRE = r"(?:tyre|tire|tyer|tier|wheel)s?(?:'s)?"
_FUEL = r"(?:fuel|gas|petrol|diesel|gasoline)"
_NOT_NOW = r"(?:\s+(?!not\b|never\b)[\w']+){0,2}?"  # up to two words between, but not a "not"

# What each service is called. Tow names the vehicle (an explicit request); the others name the cause.
SERVICE_WORDS: dict[ServiceType, tuple[str, ...]] = {
    ServiceType.tow: (
        r"\btow(?:s|ed|ing)?\b", r"\btow\s*-?\s*tru(?:ck|k|c)s?\b", r"\bflat\s*-?\s*bed\b",
        r"\b(?:breakdown|recovery|rescue)\s+(?:truck|lorry|vehicle|van)\b", r"\bvehicle\s+recovery\b",
        r"\btrailer\b", r"\bwrecker\b",
        r"拖车|拖走|拖一下|拖下|拖到|拖回|拖去|拖过去|拖运|拖吊|叫个拖|平板车|板车|清障车",
    ),
    ServiceType.jump_start: (
        rf"\b{_BATTERY}{_NOT_NOW}\s+(?:dead|flat|died|drained|empty|finished|run down|ran down|went flat)\b",
        rf"\b(?:dead|flat|drained|empty)\s+{_BATTERY}\b",
        rf"\b(?:it'?s|its|is)\s+(?:the|my)\s+{_BATTERY}\b", rf"\b{_BATTERY}\s+(?:problem|issue|trouble)\b",
        rf"\bout\s+of\s+{_BATTERY}\b",
        r"\bjump\s*-?\s*start(?:s|ed|ing)?\b", r"\bjump(?:ed|ing)?\b", r"\bboost(?:er)?\b",
        r"\bjump(?:er)?\s+(?:cables|leads)\b",
        r"电瓶(?!车)|蓄电池|亏电|馈电|搭(?:个|一下|一个|下)?电|接(?:个|一下)?电(?!话)|借(?:个|点)?电",
        # 没电 alone is the phone as often as the car: read only with a car in the sentence (_car_no_power)
    ),
    ServiceType.tyre_change: (
        rf"\bflat\s+{_TYRE}", rf"\b{_TYRE}{_NOT_NOW}\s+(?:flat|burst|blew|blown|popped|exploded|punctured"
        r"|went down|deflated|has no air|lost air|losing air|leaking air)\b",
        r"\bpunct(?:u|e)?r(?:e|ed|es)?\b", r"\bpuncher\b", r"\bblow\s*-?\s*outs?\b",
        rf"\bblew\s+(?:out\s+)?(?:a|the|my|one|our)?\s*(?:\w+\s+)?{_TYRE}",
        rf"\b(?:a|got|have|had|with)\s+(?:a\s+)?flat\b(?!\s*(?:{_BATTERY}|bed|area|road|surface|rate|fee)\b)",
        rf"\bspare\s+{_TYRE}", rf"\bchang(?:e|ed|ing)\s+(?:my|the|a|this|that|our)?\s*(?:\w+\s+)?{_TYRE}",
        rf"\b{_TYRE}\s+chang(?:e|ed|ing)\b", rf"\bnail\s+in\s+(?:my|the|a)\s+(?:\w+\s+)?{_TYRE}",
        r"\bran over a (?:nail|screw)\b",
        r"爆胎|扎胎|补胎|换(?:个|一下|下)?备?胎|备胎|扎(?:了)?(?:个|颗)?钉|胎压报警"
        r"|[轮胎][^\s，,。!！?？]{0,3}?(?:瘪|破|爆|漏气|没气|被扎|扎了)",
    ),
    ServiceType.fuel: (
        rf"\b(?:out|outta)\s+(?:of\s+|off\s+)?{_FUEL}\b(?!\s+station)",
        rf"\b(?:ran|run|running|runs)\s+(?:out|outta)\s+(?:of\s+|off\s+)?{_FUEL}\b", r"\b(?:ran|run)\s+dry\b",
        rf"\bno\s+(?:more\s+)?{_FUEL}\b(?!\s+station)",
        rf"\b(?:empty|dry)\s+(?:{_FUEL}\s+)?tank\b",
        rf"\b(?:{_FUEL}\s+)?tank(?:'s|\s+is|\s+was|\s+went)?\s+"
        r"(?:totally\s+|completely\s+|bone\s+)?(?:empty|dry)\b",
        rf"\b{_FUEL}\s+(?:finished|ran out|is out|run out|is empty|delivery|gauge\s+(?:is\s+)?(?:on|at)\s+"
        r"(?:zero|empty|e))\b",
        rf"\b(?:bring|need|deliver|send)\s+(?:me\s+|us\s+)?(?:some\s+|a\s+little\s+|a\s+can\s+of\s+)?{_FUEL}\b"
        r"(?!\s+station)",
        r"(?<!机)没(?:有)?油(?!门)|(?<!机)油(?:用完|耗光|耗尽|烧完|跑光|没了|见底)|油箱(?:空|见底|干)"
        r"|油表(?:见底|到底|归零)|送(?:点|些|一点)?油|加油救援|没(?:汽|柴)油",
    ),
    ServiceType.lockout: (
        r"\block(?:ed|d)?\s+(?:my\s*self|me|us|ourselves)?\s*out\b",
        r"\block(?:ed)?\s+(?:my|the|our)\s+(?:car\s+)?keys?\s+(?:in|inside)\b",
        r"\bkeys?\s+(?:are\s+|is\s+|got\s+|still\s+)*(?:locked\s+)?(?:in|inside)\s+(?:the|my)\s+"
        r"(?:car|boot|trunk)\b",
        r"\bkeys?\s+(?:are\s+|is\s+|still\s+)*(?:locked\s+)?inside\b",
        r"\bkeys?\s+(?:are\s+|is\s+|got\s+)?locked\s+in\b",
        r"\b(?:lost|lose|misplaced|can'?t find|cannot find|dropped)\s+(?:my|the|our)\s+(?:car\s+)?keys?\b",
        r"\bkeys?\s+(?:is\s+|are\s+|got\s+)?(?:stuck|broke|broken|snapped|jammed)\b",
        r"\b(?:can'?t|cannot|can not)\s+(?:get\s+(?:in|into)|open|unlock)\s+(?:to\s+)?(?:my|the|our)\s+"
        r"(?:car|door)",
        r"\blocksmith\b",
        r"钥匙[^\s，,。!！?？]{0,4}?(?:锁|落|忘|关|留)(?:在)?(?:了)?车(?:里|内|上)|锁(?:在)?车(?:里|内)|反锁"
        r"|锁(?:在)?车外|(?:车)?钥匙(?:丢|不见|找不到|掉了|弄丢|断|卡住|拔不出)|(?:丢|弄丢|找不到)了?(?:车)?钥匙"
        r"|钥匙(?:还)?在车(?:里|内|上)|开锁|进不去车|进不了车|车门打不开|打不开车门|(?:车)?门锁死|车门锁死",
    ),
    ServiceType.winch: (
        r"\b(?:stuck|bogged(?:\s+down)?|sunk|sank|trapped|caught|spinning)\s+(?:[\w']+\s+){0,2}?in\s+"
        r"(?:the\s+|a\s+|some\s+|deep\s+|thick\s+)*(?:mud|muddy|sand|snow|ditch|field|gravel|swamp|bog|hole)\b",
        r"\b(?:slid|slide|skidded|went|rolled|drove|veered|fell|ended up|slipped)\s+(?:[\w']+\s+)?"
        r"(?:in|into|off)\s+(?:a|the)\s+(?:[\w']+\s+)?(?:ditch|field|mud|verge)\b",
        r"\b(?:in|into)\s+(?:a|the)\s+(?:[\w']+\s+)?ditch\b", r"\bbogged\b",
        r"\b(?:get|getting|got|gets)\s+(?:[\w']+\s+)?out\s+of\s+(?:the\s+|a\s+|this\s+)?"
        r"(?:mud|sand|snow|ditch|hole|field)\b",
        r"\bpulled\s+out\b", r"\bpull\s+(?:me|us|it|her|him|the car|my car)\s+out\b", r"\bwinch\w*\b",
        r"\bwheels?\s+(?:are\s+|just\s+|keep\s+)*spinning\b",
        r"陷(?:进|入|在|到)?(?:了)?[^\s，,。!！?？]{0,4}?(?:泥|坑|沙|雪|沟)"
        r"|(?:掉|栽|滑|冲|开|翻)(?:进|到|下|入)?(?:了)?(?:路边)?(?:的)?(?:水)?[沟坑]"
        r"|[泥沙雪][^\s，,。!！?？]{0,4}?(?:打滑|出不来)|打滑出不来"
        r"|卡(?:住|在)[^\s，,。!！?？]{0,6}?出不来|(?:困|卡)在?(?:了)?[^\s，,。!！?？]{0,3}?(?:泥|沙|雪地|沟)"
        r"|陷(?:进去|下去|住)|陷车|(?:拉|拽|拖|吊)出来|吊车|绞盘",
    ),
}

# A service named only to be refused: "no need for a tow, just a jump", "不用拖车 搭个电就行".
_EN_NEGATION = re.compile(
    r"\b(?:no|not|don'?t|dont|do not|never|without|instead of|rather than)"
    r"(?:\s+(?:need|needs|needed|want|wanna|a|an|the|my|any|for|it|really|call|send|get|have|getting|calling"
    r"|sending|request|requesting|me|us|to|of|think))*\s*$")
_ZH_NEGATION = re.compile(  # 别 is "don't" except in 别家, 别的, 别人 ("other") and 特别, 区别...
    r"(?:不用|不需要|(?<!要)不要|(?<![特区分告识])别(?![家的人处样])|无需|没必要|不是|用不着|甭|没有|并没|不必)"
    r"[^\s，,。!！?？]{0,3}$")
_EN_CLAUSE = re.compile(r"[,.;!?，。；！？]|\b(?:and|but|so|because|cos|also|plus|then)\b")
_CAR_CONTEXT = re.compile(r"\b(?:car|vehicle|engine)\b|(?<!电瓶)(?<!电动)(?<!手机)车|打不着|打不了火|启动|打火|点火|着车|发动|熄火")
_ZH_NO_POWER = re.compile(r"没(?:有)?电")

# Where stopping is dangerous: fast roads, no refuge, or the driver says so.
_HAZARD_PLACES = re.compile(
    r"\b(?:motorways?|expressways?|highways?|hwy|freeways?|hard\s+shoulder|shoulder|emergency\s+lane"
    r"|ring\s+road|(?:inner|middle|outer)\s+ring|elevated\s+(?:road|highway|expressway|way)|overpass|flyover"
    r"|viaduct|bridge|tunnel|toll\s*(?:gate|booth|station|plaza)|slip\s*road|on-?ramp|off-?ramp)\b"
    r"|高速|快速路|快速干道|高架|应急车道|路肩|隧道|大桥|桥上|内环|中环|外环|绕城|环线|匝道|收费站")
_ROAD_CODE = re.compile(rf"(?<![a-z0-9·.\-{PROVINCES}])[gs]\d{{1,4}}(?![a-z0-9])")  # G15, S20; not 沪A6K215
_DANGER = re.compile(
    r"\b(?:unsafe|not\s+safe|dangerous|danger|scary|scared|afraid|terrified|frightened|panick?ing|freaking out"
    r"|smoke|smoking|fire|flames?|burning|leak(?:s|ing|ed)?|smell(?:s)?\s+(?:of\s+)?(?:petrol|fuel|gas|burning)"
    r"|middle\s+of\s+(?:the\s+|a\s+)?(?:road|lane|street|junction|intersection|crossroads|traffic)"
    r"|(?:middle|fast|outside|inside|overtaking)\s+lane|blocking\s+(?:the\s+)?(?:road|lane|traffic)"
    r"|heavy\s+traffic|busy\s+road|blind\s+(?:corner|bend)|on\s+a\s+bend)\b"
    r"|\b(?:traffic|cars|trucks|lorries|vehicles|everyone)\b(?:\s+[\w']+){0,3}?\s+"
    r"(?:flying|speeding|whizzing|zooming|racing|rushing|passing|going|driving)\s+(?:past|by)\b"
    r"|路中间|车道中间|危险|不安全|冒烟|(?<!不)着火|起火|烧起来|火苗|漏油|漏液|害怕|好怕|很怕|吓死|吓人|车很多|车好多|好多车"
    r"|车流|车来车往|车速很快|大货车")
_NO_DANGER = re.compile(  # read first and removed: "not dangerous", "no smoke", "没冒烟"
    r"\b(?:not|no|isn'?t|wasn'?t|nothing|without|never)\s+(?:[\w']+\s+)?(?:in\s+)?(?:dangerous|danger|scary|scared"
    r"|afraid|smoke|smoking|fire|flames?|burning|leak(?:s|ing)?)\b|\bfire\s+(?:station|brigade|department|exit)\b"
    r"|不危险|没(?:有)?(?:什么)?危险|没(?:有)?(?:冒烟|着火|起火|漏油)|不(?:害)?怕")

# Locations. A reply is vague when nothing is left once these are taken out.
_UNKNOWN_PLACE = re.compile(
    r"\b(?:idk|dunno|no idea|not sure|unsure|no clue|(?:don'?t|dont|do not) know|can'?t tell|not certain)\b"
    r"|不知道|不清楚|不确定|不晓得|说不清|搞不清|不认识|找不到|看不到|看不清")
_MIDDLE_OF = re.compile(r"\b(?:middle|side|edge)\s+of\b")  # "middle of the road" says no more than "road"
_EN_EMPTY_WORDS = frozenset((
    # fillers
    "i", "i'm", "im", "am", "we", "we're", "were", "are", "is", "it's", "its", "it", "at", "on", "in", "into",
    "the",
    "a", "an", "near", "nearby", "by", "beside", "next", "to", "of", "somewhere", "someplace", "around", "some",
    "just", "right", "over", "my", "our", "car", "vehicle", "still", "currently", "now", "stuck", "stranded",
    "parked", "here", "there", "this", "that", "close", "outside", "inside", "kind", "sort", "like", "maybe",
    "probably", "think", "guess", "um", "uh", "hmm", "well", "so", "and", "or", "with", "from", "off", "along",
    "up", "down", "side", "edge", "lol", "ok", "okay", "yes", "no", "yeah", "sorry", "exactly", "location",
    "place",
    "spot", "area", "where", "name", "but", "can't", "cant", "see", "any", "sign", "signs", "way", "me", "you",
    # places that do not say which
    "road", "roads", "street", "st", "highway", "hwy", "motorway", "expressway", "freeway", "city", "town",
    "centre", "center", "downtown", "countryside", "country", "village", "nowhere", "roadside", "shoulder", "hard",
    "lane", "bridge", "tunnel", "ring", "car-park", "carpark", "park", "parking", "lot", "garage", "mall",
    "shopping", "station", "gas", "petrol", "airport", "building", "office", "home", "house", "work", "suburbs",
    "traffic", "light", "lights", "junction", "intersection", "corner", "exit", "ramp", "toll", "gate", "service",
    "services", "underground", "basement", "middle", "inner", "outer", "field", "mountain", "mountains", "hill",
    "countryside",
    # not about a place at all
    "help", "please", "pls", "plz", "hurry", "quick", "quickly", "fast", "asap", "come", "send", "someone",
    "truck", "tow", "broke", "broken", "dead", "stopped", "waiting", "wait", "thanks", "thank", "hi", "hello",
    "hey", "urgent", "need", "know", "sure", "idea",
))
_ZH_EMPTY_WORDS = tuple(sorted((
    # fillers
    "我现在", "我们", "我", "现在", "目前", "就在", "在", "的", "了", "啊", "呢", "吧", "呀", "哦", "嘛", "就", "是",
    "车子", "车", "停在", "停", "一个", "个", "上面", "上", "里面", "里", "边上", "旁边", "边", "附近", "这儿",
    "这里", "这边", "这", "那里", "那边", "那儿", "那", "这个", "位置", "地方", "某个", "一条", "条", "大概", "好像",
    "应该", "可能", "反正", "还", "被困", "困", "哪里", "哪儿", "哪", "也", "都", "中间", "具体", "什么",
    # places that do not say which
    "马路", "公路", "高速公路", "高速路", "高速", "国道", "省道", "路边", "路口", "路中间", "路", "街上", "街",
    "隧道", "桥", "停车场", "地库", "地下室", "车库", "小区", "市区", "城里", "市里", "郊区", "野外", "荒郊野外",
    "半路", "途中", "家里", "家门口", "家", "公司", "单位", "商场", "加油站", "服务区", "收费站", "出口", "机场",
    "火车站", "高架", "内环", "中环", "外环", "山里", "山上", "农村", "乡下", "村里",
    # not about a place at all
    "坏了", "坏", "抛锚", "熄火", "救命", "快点", "快来", "帮帮我", "帮我", "帮忙", "救援", "拖车", "等", "谢谢",
    "好的", "嗯", "对", "不知道", "不清楚", "不确定", "不晓得",
), key=len, reverse=True))
_ZH_EMPTY = re.compile("|".join(map(re.escape, _ZH_EMPTY_WORDS)))
_EN_TOKEN = re.compile(r"[a-z0-9][a-z0-9'\-]*")

# What makes a phrase inside a first message worth taking as the place (precision over recall).
_PLACE_SIGNAL = re.compile(
    r"\b(?:road|rd|street|st|avenue|ave|boulevard|blvd|lane|ln|alley|highway|expressway|motorway|freeway|ring"
    r"|exit|junction|interchange|km|kilometre|kilometer|mile|marker|toll|gate|bridge|tunnel|station|airport"
    r"|terminal|t\d|mall|plaza|square|park|parking|garage|building|tower|centre|center|hospital|school"
    r"|university|hotel|market|district|village|town|services|ikea|metro|northbound|southbound|eastbound"
    r"|westbound|no\.|level|b\d|gas station|petrol station)\b|\d+\s*[a-z]*\s+[a-z]"
    r"|路|街|道|巷|弄|号|高速|快速路|高架|出口|入口|公里|收费站|服务区|广场|停车场|车库|地库|商场|中心|大厦|大楼|站"
    r"|机场|航站楼|医院|学校|大学|区|镇|村|桥|隧道|门口|花园|苑|酒店|宾馆|公园|方向|对面|层|楼|环")
_EN_CUE = re.compile(  # "near ..." is kept in the phrase; "on the", "at", "in" are not
    r"(?<![\w'])(?:(?P<keep>near|next to|in front of|opposite|outside|close to|behind)"
    r"|(?P<cue>on|at|in|@|located at|location is|location:|address is|address:))(?=\s)")
_ZH_CUE = re.compile(r"我现在在|我人在|我在|人在|车子在|车在|停在|位于|就在|现在在|(?<![正现实存所不好])在")
_EN_STOP = re.compile(
    r"\s+(?:and|but|so|because|cos|coz|cause|pls|plz|please|need|needs|needed|can|could|would|will|help|send"
    r"|asap|hurry|my|i|i'm|im|i've|we|we're|it|it's|its|car(?!\s*park)|battery|tyre|tire|is|was|has|have|had"
    r"|waiting|what|how|when|who|thanks|thank|urgent|now|with)\b")
_ZH_STOP = re.compile(
    r"突然|忽然|刚刚|刚才|一下子|爆胎|扎胎|没油|没电|电瓶|抛锚|坏了|坏在|熄火|打不着|动不了|开不了|钥匙|锁|陷|掉|需要|要|想|请|麻烦|帮"
    r"|能不能|可以|快点|快来|快派|救|车子|我的车|(?<![停库])车(?![场库站位道])|了")
_BOUNDARY = re.compile(r"[,;!?，。；！？()（）]|\.(?:\s|$)")
_TIME_FIRST = re.compile(r"^(?:\d{1,2}(?::\d\d)?\s*(?:am|pm)|\d{1,2}:\d\d|night|noon|midnight|least|all|once)\b")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+", re.IGNORECASE)
_TRAILING_FILLER = re.compile(r"(?:\s+(?:near|on|at|in|by|of|the|to|and|a|an))+$|(?:上|里|这里|这儿|呢|啊|吧)+$",
                              re.IGNORECASE)

_COMPILED = {service: re.compile("|".join(patterns)) for service, patterns in SERVICE_WORDS.items()}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _clean(text: str | None) -> str:
    """NFKC (full-width digits, letters and commas from Chinese keyboards), curly apostrophes straightened,
    whitespace collapsed and stripped."""
    text = unicodedata.normalize("NFKC", text or "").replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(text.split())


def _plain(text: str | None) -> str:
    """`_clean` in lower case: what the keyword tables are matched on."""
    return _clean(text).lower()


# ===================================================================================== which service


def _negated(said: str, start: int) -> bool:
    """Whether the words just before a match refuse it ("don't need a tow", "不用拖车")."""
    before = said[:start]
    if _ZH_NEGATION.search(before[-8:]):
        return True
    clause = _EN_CLAUSE.split(before)[-1]  # a "not" in an earlier clause says nothing about this one
    return bool(_EN_NEGATION.search(clause))


def _car_no_power(said: str) -> list[tuple[int, int]]:
    """Where 没电 is about the car: the sentence has a car in it and the phone is not what died."""
    if not _CAR_CONTEXT.search(said):
        return []
    return [(m.start(), m.end()) for m in _ZH_NO_POWER.finditer(said)
            if not re.search(r"手机|电话", said[max(0, m.start() - 4):m.start()])]


def read_service_type(text: str) -> ServiceType | None:
    """The roadside service a message names, from free text or a button's value; None when it names none.

    A named tow truck wins over the cause ("flat tyre and no spare, need a tow"): the driver has already
    decided the car must go. Otherwise the first service named in the text. "My car broke down" is None.
    """
    said = _plain(text)
    button = said.strip(" .!").replace(" ", "_").replace("-", "_").replace("tire_change", "tyre_change")
    if button in {service.value for service in ServiceType}:
        return ServiceType(button)
    found = [(m.start(), m.end(), service)
             for service, pattern in _COMPILED.items() for m in pattern.finditer(said)]
    found += [(start, end, ServiceType.jump_start) for start, end in _car_no_power(said)]
    kept: list[tuple[int, int, ServiceType]] = []
    for start, end, service in sorted(found, key=lambda item: (item[0], item[0] - item[1])):
        if any(start < kept_end and kept_start < end for kept_start, kept_end, _ in kept):
            continue  # "flat" inside "battery is flat" was already read as the battery
        kept.append((start, end, service))
    named = [service for start, _, service in kept if not _negated(said, start)]
    if ServiceType.tow in named:
        return ServiceType.tow
    return named[0] if named else None


# ======================================================================================== is it safe


def read_hazard(text: str) -> bool:
    """True when the driver is somewhere stopping is dangerous (motorway, hard shoulder, bridge, tunnel,
    a road code such as G15) or says they are in danger; the bot then gives the safety advice first."""
    said = _plain(text)
    if _HAZARD_PLACES.search(said) or _ROAD_CODE.search(said):
        return True
    return bool(_DANGER.search(_NO_DANGER.sub(" ", said)))


# =========================================================================================== where


class LocationProblem(str, Enum):
    """Why a typed location cannot be sent to a truck; the bot asks again and says why."""

    too_short = "too_short"
    vague = "vague"  # "here", "on the highway", "不知道": no way to find the car
    nonsense = "nonsense"  # no letters, or keyboard mashing


@dataclass(frozen=True)
class LocationReading:
    """A typed answer to "where are you?": the cleaned place, or the problem that stopped it."""

    ok: bool
    value: str | None = None
    problem: LocationProblem | None = None


def _is_vague(said: str) -> bool:
    """Nothing left once fillers, "I don't know" and places that don't say which are taken out."""
    rest = _MIDDLE_OF.sub(" ", _UNKNOWN_PLACE.sub(" ", said))
    rest = _ZH_EMPTY.sub(" ", rest)
    words = [word for word in _EN_TOKEN.findall(rest) if word not in _EN_EMPTY_WORDS]
    return not words and not _CJK.search(rest)


def _mashed(word: str) -> bool:
    """Keyboard mashing: a run along one keyboard row, no vowel at all, or two letters over and over."""
    if len(word) < 3:
        return False
    on_a_row = any(word in row or word in row[::-1] for row in _KEYBOARD_ROWS)
    return on_a_row or (len(word) >= 4 and (not re.search("[aeiouy]", word) or len(set(word)) <= 2))


def _repeated(said: str) -> bool:
    """One character over and over: "aaaaa", "啊啊啊啊"."""
    chars = said.replace(" ", "")
    return len(chars) >= 3 and Counter(chars).most_common(1)[0][1] / len(chars) > 0.6


def _mashing(said: str) -> bool:
    """Latin text whose every word is keyboard mashing: "asdfgh", "sdf jkl"."""
    words = re.findall(r"[a-z]+", said)
    return not _CJK.search(said) and bool(words) and all(_mashed(word) for word in words)


def read_location_text(text: str) -> LocationReading:
    """Whether a typed answer to "where are you?" names a place a truck can find, and the cleaned text."""
    cleaned = _clean(text)
    if not cleaned:
        return LocationReading(ok=False, problem=LocationProblem.too_short)
    if not any(ch.isalpha() for ch in cleaned):
        return LocationReading(ok=False, problem=LocationProblem.nonsense)  # "???", "123" are not places
    said = cleaned.lower().strip(" .,!?;~。、…")
    if _repeated(said):
        return LocationReading(ok=False, problem=LocationProblem.nonsense)
    if _is_vague(said):  # before length: "在这" and "idk" are short, but what they say is "I can't tell"
        return LocationReading(ok=False, problem=LocationProblem.vague)
    if _mashing(said):
        return LocationReading(ok=False, problem=LocationProblem.nonsense)
    # Chinese packs a place into fewer characters: 虹桥站 is three
    if (len(said.replace(" ", "")) < 3) if _CJK.search(said) else (len(said) < 4):
        return LocationReading(ok=False, problem=LocationProblem.too_short)
    return LocationReading(ok=True, value=cleaned)


def _phrase_after(cleaned: str, start: int) -> str:
    """The words after a cue, up to the end of the clause or the first word of the problem."""
    rest = _BOUNDARY.split(cleaned[start:], maxsplit=1)[0]
    for stop in (_EN_STOP, _ZH_STOP):
        if match := stop.search(rest.lower()):
            rest = rest[:match.start()]
    rest = _LEADING_ARTICLE.sub("", rest.strip())
    return _TRAILING_FILLER.sub("", rest).strip()


def extract_location_phrase(text: str) -> str | None:
    """The place named in a first message ("flat tyre on the G15 near exit 32" -> "G15 near exit 32"),
    only when it is specific enough for `read_location_text`; None when unsure (the bot will ask)."""
    cleaned = _clean(text)
    lowered = cleaned.lower()
    starts = [m.start("keep") if m.group("keep") else m.end("cue") for m in _EN_CUE.finditer(lowered)]
    starts += [m.end() for m in _ZH_CUE.finditer(lowered)]
    for start in sorted(starts):  # the first cue that leads to a usable place
        phrase = _phrase_after(cleaned, start)
        lowered_phrase = phrase.lower()
        if (not phrase or _TIME_FIRST.match(lowered_phrase) or re.match(r"(?:the |my )?way\b", lowered_phrase)
                or _UNKNOWN_PLACE.search(lowered_phrase)):
            continue  # "at 3pm", "at all", "on my way to work", "我在不知道什么地方"
        reading = read_location_text(phrase)
        if reading.ok and (_PLACE_SIGNAL.search(lowered_phrase) or _ROAD_CODE.search(lowered_phrase)):
            return reading.value
    return None
