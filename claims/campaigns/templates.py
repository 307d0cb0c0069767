"""Weather warnings: a campaign type worded from a city and a hazard, in English and Chinese."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from claims import wording
from claims.clock import require_aware
from claims.enums import Language

CITY_NAMES_ZH = {
    "shanghai": "上海", "beijing": "北京", "guangzhou": "广州", "shenzhen": "深圳", "hangzhou": "杭州",
    "suzhou": "苏州", "chengdu": "成都", "nanjing": "南京", "ningbo": "宁波", "wuhan": "武汉", "xiamen": "厦门",
}


@dataclass(frozen=True)
class Hazard:
    name: dict[Language, str]
    advice: dict[Language, str]


HAZARDS: dict[str, Hazard] = {
    "typhoon": Hazard(
        {Language.en: "Typhoon", Language.zh: "台风"},
        {Language.en: "Park away from trees, billboards and low ground, and avoid driving while it passes.",
         Language.zh: "请将车辆停放在远离树木、广告牌和低洼处的地方，台风过境期间尽量避免驾车出行。"}),
    "rainstorm": Hazard(
        {Language.en: "Rainstorm", Language.zh: "暴雨"},
        {Language.en: "Keep out of flooded roads and underpasses; if water reaches the middle of the wheels, "
                      "turn back. Don't restart a car that stalled in water.",
         Language.zh: "请避开积水路段和下穿隧道，积水超过车轮一半请立即绕行；车辆涉水熄火后切勿再次启动。"}),
    "snow": Hazard(
        {Language.en: "Snow and ice", Language.zh: "暴雪道路结冰"},
        {Language.en: "Slow down, keep a long distance and avoid sudden braking; take the car out only if you "
                      "must.",
         Language.zh: "请减速慢行、保持车距、避免急刹车，非必要不出行。"}),
    "hail": Hazard(
        {Language.en: "Hail", Language.zh: "冰雹"},
        {Language.en: "Put the car under cover (a garage or car park) if you can.",
         Language.zh: "请尽量将车辆停入车库或地下停车场。"}),
    "heat": Hazard(
        {Language.en: "Heatwave", Language.zh: "高温"},
        {Language.en: "Check tyres and coolant, don't leave lighters, power banks or children in a parked car.",
         Language.zh: "请检查轮胎和冷却液，切勿将打火机、充电宝留在车内，更不要把儿童留在车里。"}),
}


def city_name(city: str, lang: Language) -> str:
    """Shanghai / 上海 (a city without a Chinese name on record keeps its own)."""
    return CITY_NAMES_ZH.get(city.strip().lower(), city) if lang is Language.zh else city.strip().title()


def weather_warning(hazard: str, city: str, *, starts_at: datetime | None, tz: tzinfo) -> dict[Language, str]:
    """The warning's text in both languages."""
    try:
        found = HAZARDS[hazard]
    except KeyError:
        raise ValueError(f"the hazards are {', '.join(HAZARDS)}, not {hazard!r}") from None
    texts = {}
    for lang in Language:
        name, place, advice = found.name[lang], city_name(city, lang), found.advice[lang]
        when = ""
        if starts_at is not None:
            local = require_aware(starts_at).astimezone(tz)
            day = wording.format_date(local, lang, tz)
            when = (f"（{day} {local:%H:%M}起）" if lang is Language.zh else f" from {local:%H:%M} on {day}")
        if lang is Language.zh:
            texts[lang] = (f"⚠️ {place}{name}预警{when}\n{advice}\n如车辆受损，可直接在此报案，我们会一步步指导您；"
                           "如在路上受困，可在此申请道路救援。")
        else:
            texts[lang] = (f"⚠️ {name} warning for {place}{when}\n{advice}\nIf your car is damaged, report it here "
                           "and we'll guide you step by step; if you're stuck on the road, ask here for roadside "
                           "help.")
    return texts
