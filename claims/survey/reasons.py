"""The reason behind a score, in the study's categories, read from the customer's own words (en / zh).

The study's reasons table is where this product's priorities come from (slow assessment 27%, payout not
explained 23%, price dispute 17%, poor guidance 13%), so answers are sorted into the same categories:
complaints for detractors and passives, praise for promoters, `other` when nothing fits. Keyword rules, not
a classifier intent: a survey answer is free text read by the survey's own form. Accuracy on answers written
apart from these rules: `scripts/survey_reasons_eval.py`.
"""
from __future__ import annotations

import re

from claims.enums import NpsReason
from claims.nps import NpsCategory

# Checked in order: the first that matches wins, so the more specific come first (a low payout nobody
# explained is "not explained": the study's answer to that is explaining, not paying more).
_COMPLAINTS: list[tuple[NpsReason, str]] = [
    (NpsReason.cover_not_explained, r"when i (?:bought|took out|signed)|at (?:the )?(?:time of )?(?:sale|purchase)|"
     r"(?:sales|agent|broker)\w* (?:didn'?t|did not|never) (?:tell|explain|mention)|small print|fine print|"
     r"(?:didn'?t|did not|never) (?:know|realise|realize|told) (?:it|that) (?:wasn'?t|was not|isn'?t) covered|"
     r"not covered|exclusion|买(?:保险)?的时候|投保(?:的)?时(?:候)?|销售|业务员|卖保险|条款没(?:说|讲|解释)|"
     r"不在(?:保障|保险)范围|免责|没告诉我不(?:赔|保)"),
    (NpsReason.payout_not_explained, r"explain|explanation|how (?:the|my|they|you)\b.{0,25}(?:calculat|work(?:ed)? out|"
     r"came? to|arriv)|calculat|breakdown|break it down|where (?:the|my) money went|deduct|"
     r"no idea (?:why|how) (?:i|we) got|without (?:any )?(?:reason|detail)|解释|怎么算|如何算|算法|计算|明细|"
     r"扣了?(?:多少|哪|什么|钱)|不明不白|稀里糊涂|不知道(?:钱|赔款|金额)?(?:是)?怎么|凭什么扣"),
    (NpsReason.price_dispute, r"too low|too little|undervalu|lowball|low ?ball|not enough (?:money|to cover)|"
     r"(?:price|amount|valuation|estimate|quote|offer|assessment|payout)\w*.{0,20}(?:wrong|unfair|low|less|short)|"
     r"(?:paid|gave|offered) (?:me )?(?:less|way less|half)|(?:repair|garage)\w* (?:cost|bill|quote)\w*.{0,20}(?:more|higher|double)|"
     r"didn'?t cover the (?:repair|bill|cost)|out of (?:my own )?pocket|haggl|定损(?:价格|金额|价)|"
     r"(?:价格|金额|价钱|钱|赔款|赔的)(?:给得|定得|算得)?(?:太|偏|有点)?(?:低|少)|压价|少赔|赔得?少|赔(?:的)?不够|"
     r"不够修|自己(?:还)?(?:掏|贴|出)了?|差价|修车(?:要|花)了?.{0,6}(?:只|才)赔"),
    (NpsReason.staff_attitude, r"rude|impolite|impatient|arrogant|attitude|unfriendly|unhelpful|condescend|"
     r"shout|yell|hung up|dismissive|didn'?t care|don'?t care|couldn'?t care|treated me like|disrespect|"
     r"态度|不耐烦|爱理不理|冷漠|凶|骂|挂(?:我)?电话|敷衍|推诿|不礼貌|没礼貌|傲慢|甩脸|不理人"),
    (NpsReason.poor_guidance, r"guid|didn'?t know what to do|no idea what to do|nobody told me|no one told me|"
     r"not told what|(?:what|which) documents|confus|unclear|lost in the process|steps|instructions|"
     r"had to (?:figure|work) (?:it )?out|no (?:help|support) at the scene|back and forth|"
     r"指导|指引|引导|不知道(?:该|要)?(?:怎么办|干嘛|做什么|怎么弄|准备什么)|没人(?:告诉|教|指导|说)|流程(?:太)?(?:乱|复杂|不清楚)|"
     r"材料.{0,6}(?:反复|来回|好几次|又要)|来回跑|跑了好几趟|说不清楚"),
    (NpsReason.few_service_points, r"too far|far away|no (?:branch|office|garage|service point|partner)\w* (?:near|close|in)|"
     r"(?:few|not enough|only one) (?:branch|office|garage|service point|repair shop|partner)|nearest|drive (?:for )?an hour|"
     r"网点|门店|营业厅|服务点|合作(?:修理厂|厂)|修理厂太少|离(?:我|家)?太远|太远了|跑很远|附近没有"),
    (NpsReason.low_brand_recognition, r"never heard of|heard of you|nobody knows|no one knows|not (?:well )?known|"
     r"unknown (?:brand|company)|small company|brand|名气|知名度|没听说过|没人知道|小公司|牌子|品牌"),
    (NpsReason.slow, r"slow|not (?:very |that |so |quite )?(?:fast|quick|prompt)|不(?:够|太)?(?:快|及时)|took (?:ages|forever|so long|too long|long)|long time|waited|waiting|wait(?:ed)? for|still (?:no|not|haven'?t|waiting)|"
     r"delay|weeks|months|(?:a|one|two|three|\d+) (?:full )?(?:week|month)|days? later|forever|ages|dragg|faster|quicker|speed up|hurry|sooner|"
     r"haven'?t (?:been paid|received|got)|no (?:money|payout|payment) yet|慢|拖|等了|等(?:太)?久|好久|半个?月|"
     r"一个?月|几个?礼拜|几周|迟迟|效率|还没(?:到|赔|收到|给)|到现在都?没|快(?:一)?点|再快|及时一?点|太久"),
    (NpsReason.company_reasons, r"company|policy rules|your rules|terms|bureaucra|red tape|paperwork|premium|renewal|"
     r"price of (?:the )?(?:insurance|policy)|reputation|公司|制度|规定|条款|手续(?:太)?(?:多|繁琐|麻烦)|保费|续保|太贵|官僚"),
]

_PRAISE: list[tuple[NpsReason, str]] = [
    (NpsReason.professional, r"professional|knowledgeable|knew (?:what|exactly)|expert|competent|experienced|"
     r"thorough|clear(?:ly)? explain|explained (?:everything|clearly|it all|well)|skilled|专业|懂行|讲得(?:很)?清楚|解释(?:得)?(?:很)?清楚|经验丰富|靠谱"),
    (NpsReason.good_attitude, r"friendly|polite|patient|kind|nice|caring|cared|helpful|warm|respect|attitude|lovely|"
     r"sympathetic|reassur|calm(?:ed)? me|态度|热情|耐心|客气|礼貌|贴心|周到|暖心|关心|和气|亲切|友好"),
    (NpsReason.fast, r"fast|quick|speedy|swift|prompt|within (?:a |an |one |two |\d+ )?(?:day|hour|minute|week)|"
     r"same day|next day|no time|in minutes|rapid|efficient|on time|arrived (?:in|within)|"
     r"快|迅速|及时|效率(?:高|很高)|当天|第二天|很快|马上|立刻|神速|没等多久|几分钟|一天(?:就|内)"),
    (NpsReason.all_good, r"everything|all good|smooth|easy|no (?:problems|issues|hassle|complaints)|hassle[- ]free|"
     r"satisf|great|good service|good experience|excellent|perfect|happy|fine|convenient|simple|painless|"
     r"都(?:很)?(?:好|不错|满意)|挺好|很好|不错|满意|顺利|省心|方便|简单|没(?:什么)?问题|没毛病|一切|放心|棒"),
]

_NEGATED_PRAISE = re.compile(r"\b(?:not|never|wasn'?t|isn'?t|weren'?t)\s+(?:very\s+|that\s+|so\s+)?"
                             r"(?:fast|quick|prompt|friendly|polite|helpful|professional|clear)|不(?:够|太)?(?:快|及时|专业|热情|耐心)",
                             re.IGNORECASE)

_COMPILED_COMPLAINTS = [(reason, re.compile(pattern, re.IGNORECASE)) for reason, pattern in _COMPLAINTS]
_COMPILED_PRAISE = [(reason, re.compile(pattern, re.IGNORECASE)) for reason, pattern in _PRAISE]


def _first(rules: list[tuple[NpsReason, re.Pattern[str]]], text: str) -> NpsReason | None:
    return next((reason for reason, pattern in rules if pattern.search(text)), None)


def classify_reason(text: str, category: NpsCategory) -> NpsReason:
    """The study's category for the answer to the follow-up that `category`'s score got.

    Detractors and passives say what went wrong or could be better; promoters what went well. Praise from a
    detractor ("the driver was nice but the payout took a month") is read for its complaint first.
    """
    text = (text or "").strip()
    if not text:
        return NpsReason.other
    if category is NpsCategory.promoter and not _NEGATED_PRAISE.search(text):
        found = _first(_COMPILED_PRAISE, text) or _first(_COMPILED_COMPLAINTS, text)
    else:
        found = _first(_COMPILED_COMPLAINTS, text)
        if found is None and category is NpsCategory.promoter:
            found = _first(_COMPILED_PRAISE, text)
    return found or NpsReason.other


# How each category is named in the report and on an agent's call-back card.
REASON_LABELS: dict[NpsReason, dict[str, str]] = {
    NpsReason.slow: {"en": "slow survey, assessment or claim", "zh": "查勘定损理赔慢"},
    NpsReason.payout_not_explained: {"en": "payout calculation not explained", "zh": "赔款计算未解释"},
    NpsReason.price_dispute: {"en": "assessment price dispute", "zh": "定损价格有争议"},
    NpsReason.poor_guidance: {"en": "poor claim guidance", "zh": "理赔指导不到位"},
    NpsReason.cover_not_explained: {"en": "cover not explained at sale", "zh": "投保时未讲清保障"},
    NpsReason.company_reasons: {"en": "company reasons", "zh": "公司原因"},
    NpsReason.few_service_points: {"en": "few service points", "zh": "服务网点少"},
    NpsReason.low_brand_recognition: {"en": "low brand recognition", "zh": "品牌知名度低"},
    NpsReason.staff_attitude: {"en": "staff attitude", "zh": "服务态度"},
    NpsReason.fast: {"en": "fast", "zh": "速度快"},
    NpsReason.all_good: {"en": "everything good", "zh": "整体满意"},
    NpsReason.good_attitude: {"en": "good attitude", "zh": "态度好"},
    NpsReason.professional: {"en": "professional", "zh": "专业"},
    NpsReason.other: {"en": "other", "zh": "其他"},
}
