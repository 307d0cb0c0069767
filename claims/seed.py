"""Demo data for local chats and end-to-end tests: `python -m claims.seed [--reset] [--url URL]`.

Deterministic (fixed random seed, dates relative to `now`) and idempotent: a second run adds nothing,
`--reset` wipes every table first. Claim numbers carry the year of reporting and follow the order of
reporting: every demo claim is reported within the 21 days before `now`, so the claim numbers below hold
for a run between 22 January and 31 December 2026 (in another year, the same sequences with that year).
"""
from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from claims.clock import business_date, utcnow
from claims.db import make_engine, make_session_factory, session_scope, upgrade_database
from claims.enums import Language, PolicyStatus, RoadsideStatus, ServiceType, SurveyStatus, SurveyTrigger, ThirdParty
from claims.money import to_money
from claims.models import (
    Adjuster, Base, Claim, ClaimStageEvent, NpsResponse, NpsSurvey, Policy, Policyholder, RoadsideEvent, RoadsideRequest, Vehicle,
)
from claims.nps import follow_up_for_score, nps_category
from claims.numbering import next_claim_number, next_roadside_reference
from claims.payout import payout_breakdown
from claims.privacy import mask_phone
from claims.settings import DEFAULT_STAGE_TARGETS_DAYS, ClaimsSettings, get_settings
from claims.stages import ClaimStage, can_transition, next_stage
from claims.survey.reasons import classify_reason
from claims.triage import EstimateBand, fast_track_eligible
from claims.vehicles import vin_check_digit

# The identities the README and the end-to-end tests cite (first English and first Chinese policyholder).
DEMO_PHONE_EN = "+8613816204578"
DEMO_NAME_EN = "Daniel Carter"
DEMO_DOB_EN = date(1988, 4, 12)
DEMO_ID_LAST4_EN = "3417"
DEMO_POLICY_EN = "PMV-2026-0000123"
DEMO_PLATE_EN = "沪A6K215"
DEMO_CLAIM_PAID_EN = "CLM-2026-000008"  # paid, with parts, labour, deductible, depreciation and salvage
DEMO_CLAIM_ASSESSMENT_EN = "CLM-2026-000024"  # in loss_assessment

DEMO_PHONE_ZH = "+8618621357904"
DEMO_NAME_ZH = "张伟"
DEMO_DOB_ZH = date(1979, 9, 23)
DEMO_ID_LAST4_ZH = "052X"
DEMO_POLICY_ZH = "PMV-2026-0000124"
DEMO_PLATE_ZH = "粤BD38172"
DEMO_CLAIM_PAID_ZH = "CLM-2026-000005"
DEMO_CLAIM_ASSESSMENT_ZH = "CLM-2026-000022"

RANDOM_SEED = 20260417
# Fixed rather than read from the settings, so that the same claims are fast-track on every machine.
DEMO_FAST_TRACK_LIMIT = Decimal("5000")
SEED_CHAT_ID_BASE = 9_100_000_000  # chat ids of seeded NPS answers, far from real and simulated ones

_EN_NAMES = [DEMO_NAME_EN, "Emily Zhang", "Michael Brown", "Sophie Laurent", "James Wilson", "Olivia Chen",
             "Lucas Müller", "Hannah Schmidt", "Ethan Wang", "Grace Lee", "Noah Kim", "Isabella Rossi"]
_ZH_NAMES = [DEMO_NAME_ZH, "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄晓明", "周杰", "吴婷", "徐强", "孙丽"]
_ADJUSTERS = [
    ("王磊", "+8613901762245", "wang.lei@claims.example.cn", "Shanghai"),
    ("李静", "+8613761504432", "li.jing@claims.example.cn", "Shanghai"),
    ("陈志强", "+8613602468137", "chen.zhiqiang@claims.example.cn", "Guangdong"),
    ("刘洋", "+8613811027765", "liu.yang@claims.example.cn", "Beijing"),
    ("赵倩", "+8615958120394", "zhao.qian@claims.example.cn", "Zhejiang"),
]
_MOBILE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "152", "158", "159", "177", "180",
                    "181", "185", "186", "187", "188", "189", "199"]
# (make, model, WMI, new energy?)
_MODELS = [
    ("BYD", "Han EV", "LGX", True), ("BYD", "Qin PLUS DM-i", "LGX", True), ("BYD", "Song PLUS", "LGX", True),
    ("Volkswagen", "Lavida", "LSV", False), ("Volkswagen", "Sagitar", "LFV", False),
    ("Volkswagen", "Tiguan L", "LSV", False), ("Toyota", "Camry", "LVG", False),
    ("Toyota", "Corolla", "LFM", False), ("Tesla", "Model 3", "LRW", True), ("Tesla", "Model Y", "LRW", True),
    ("Geely", "Emgrand", "L6T", False), ("Geely", "Xingyue L", "L6T", False), ("Honda", "Accord", "LHG", False),
    ("Honda", "CR-V", "LVH", False), ("Buick", "GL8", "LSG", False), ("Buick", "Excelle GT", "LSG", False),
]
_COLOURS = ["white", "black", "silver", "grey", "blue", "red", "pearl white"]
_MODEL_YEAR_CODES = {2019: "K", 2020: "L", 2021: "M", 2022: "N", 2023: "P", 2024: "R", 2025: "S", 2026: "T"}
# (plate prefix, city, latitude, longitude, Chinese place, English place)
_CITIES = [
    ("沪A", "Shanghai", 31.2304, 121.4737, "上海市浦东新区世纪大道与东方路路口", "Century Ave & Dongfang Rd, Pudong, Shanghai"),
    ("沪B", "Shanghai", 31.1990, 121.4370, "上海市徐汇区漕溪北路", "Caoxi North Rd, Xuhui, Shanghai"),
    ("京A", "Beijing", 39.9042, 116.4074, "北京市朝阳区建国路", "Jianguo Rd, Chaoyang, Beijing"),
    ("粤A", "Guangzhou", 23.1291, 113.2644, "广州市天河区天河路", "Tianhe Rd, Tianhe, Guangzhou"),
    ("粤B", "Shenzhen", 22.5431, 114.0579, "深圳市南山区深南大道", "Shennan Blvd, Nanshan, Shenzhen"),
    ("浙A", "Hangzhou", 30.2741, 120.1551, "杭州市西湖区文三路", "Wensan Rd, Xihu, Hangzhou"),
    ("苏E", "Suzhou", 31.2989, 120.5853, "苏州市工业园区星湖街", "Xinghu St, SIP, Suzhou"),
    ("川A", "Chengdu", 30.5728, 104.0668, "成都市武侯区天府大道", "Tianfu Ave, Wuhou, Chengdu"),
]
_DESCRIPTIONS = {
    Language.en: ["Rear-ended at a red light, bumper and boot lid damaged.",
                  "Scraped a pillar in an underground car park, front left wing dented.",
                  "Side collision at a junction, both right doors damaged.",
                  "Hit a kerb in the rain, front right wheel and suspension damaged."],
    Language.zh: ["等红灯时被后车追尾，后保险杠和后备箱盖受损。",
                  "地下车库倒车时刮到柱子，左前翼子板凹陷。",
                  "路口侧面碰撞，右侧两个车门受损。",
                  "雨天撞到马路牙子，右前轮和悬挂受损。"],
}


@dataclass(frozen=True)
class ClaimPlan:
    """One demo claim: whose, which stages it went through and what was reported."""

    holder: int
    path: tuple[ClaimStage, ...]
    estimate: EstimateBand
    injuries: bool = False
    third_party: ThirdParty = ThirdParty.none
    note: str | None = None  # on the last event
    salvage: int | None = None  # fixed for the cited claims, so that their breakdown has every line


@dataclass
class SeedResult:
    """What a seed run did: False when the demo data was already there."""

    created: bool
    counts: dict[str, int] = field(default_factory=dict)


def main_line_path(to_stage: ClaimStage, *, fast_track: bool) -> tuple[ClaimStage, ...]:
    """The stages from reported to `to_stage` along the main line."""
    path = [ClaimStage.reported]
    while path[-1] is not to_stage:
        following = next_stage(path[-1], fast_track=fast_track)
        if following is None:
            raise ValueError(f"{to_stage} is not on the main line")
        path.append(following)
    return tuple(path)


def _plans() -> list[ClaimPlan]:
    S, B = ClaimStage, EstimateBand
    small, mid, big = B.from_2000_to_5000, B.from_5000_to_20000, B.over_20000
    path = main_line_path
    plans = [
        # The cited claims of the two demo policyholders (numbered by reporting order, like all the others).
        ClaimPlan(0, path(S.paid, fast_track=False), mid, third_party=ThirdParty.other_vehicle, salvage=180),
        ClaimPlan(1, path(S.paid, fast_track=False), mid, third_party=ThirdParty.other_vehicle, salvage=260),
        ClaimPlan(0, path(S.loss_assessment, fast_track=True), small),
        ClaimPlan(1, path(S.loss_assessment, fast_track=True), small),
    ]
    stage_targets = [
        (S.reported, True, small), (S.reported, False, big), (S.survey, False, mid), (S.survey, False, big),
        (S.loss_assessment, False, mid), (S.loss_review, False, mid), (S.loss_review, True, B.under_2000),
        (S.adjustment, False, big), (S.adjustment, True, small), (S.approval, False, mid),
        (S.approval, False, big), (S.paid, True, B.under_2000), (S.closed, True, small),
        (S.closed, False, mid), (S.closed, False, big),
    ]
    for index, (stage, fast, band) in enumerate(stage_targets):
        plans.append(ClaimPlan(2 + index, path(stage, fast_track=fast), band,
                               third_party=ThirdParty.none if fast else ThirdParty.other_vehicle))
    plans += [
        ClaimPlan(17, (S.reported, S.survey, S.awaiting_documents), mid, third_party=ThirdParty.property,
                  note="police report missing / 缺少交警事故认定书"),
        ClaimPlan(18, path(S.adjustment, fast_track=True) + (S.awaiting_documents,), small,
                  note="bank card photo missing / 缺少银行卡照片"),
        ClaimPlan(19, (S.reported, S.survey, S.rejected), mid, third_party=ThirdParty.other_vehicle,
                  note="damage not consistent with the reported accident / 损失与事故经过不符"),
        ClaimPlan(20, path(S.approval, fast_track=False) + (S.rejected,), big, injuries=True,
                  third_party=ThirdParty.pedestrian, note="driver's licence expired / 驾驶证已过期"),
        ClaimPlan(21, (S.reported, S.withdrawn), small, note="customer settled privately / 客户已私了"),
        ClaimPlan(22, (S.reported, S.survey, S.withdrawn), mid, third_party=ThirdParty.other_vehicle),
        # A price dispute: loss review sent it back for re-assessment before it was paid.
        ClaimPlan(23, path(S.loss_review, fast_track=False) + path(S.paid, fast_track=False)[2:], mid,
                  third_party=ThirdParty.other_vehicle),
        ClaimPlan(5, path(S.survey, fast_track=False), mid, injuries=True, third_party=ThirdParty.pedestrian),
    ]
    return plans


def _city_of(vehicle: Vehicle) -> tuple:
    return next((city for city in _CITIES if vehicle.plate_number.startswith(city[0])), _CITIES[0])


def _phone(rng: random.Random) -> str:
    return "+86" + rng.choice(_MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def _vin(rng: random.Random, wmi: str, year: int) -> str:
    chars = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
    body = wmi + "".join(rng.choice(chars) for _ in range(5)) + "0" + _MODEL_YEAR_CODES[year] + rng.choice(
        "ABCDEFGH") + "".join(rng.choice("0123456789") for _ in range(6))
    return body[:8] + vin_check_digit(body) + body[9:]


def _plate(rng: random.Random, prefix: str, new_energy: bool) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    if new_energy:  # small new-energy cars: D (electric) or F (hybrid), then 5 characters
        return prefix + rng.choice("DF") + "".join(rng.choice("0123456789") for _ in range(5))
    serial = [rng.choice("0123456789") for _ in range(5)]
    serial[rng.randrange(1, 3)] = rng.choice(letters)
    return prefix + "".join(serial)


def _demo_already_seeded(session: Session) -> bool:
    return session.scalar(select(Policyholder.id).where(Policyholder.phone == DEMO_PHONE_EN)) is not None


def wipe_all_data(session: Session) -> None:
    """Delete every row of every table (children first) and commit. For `--reset` and tests only."""
    for table in reversed(Base.metadata.sorted_tables):
        session.execute(delete(table))
    session.commit()
    session.expunge_all()  # the deleted rows' objects must not shadow the new ones (ids are reused)


def seed_demo_data(session: Session, *, now: datetime, settings: ClaimsSettings | None = None) -> SeedResult:
    """Insert the demo policyholders, policies, vehicles, adjusters, claims, roadside requests and NPS."""
    if _demo_already_seeded(session):
        return SeedResult(created=False)
    settings = settings or get_settings()
    rng = random.Random(RANDOM_SEED)
    paper_dates = random.Random(RANDOM_SEED + 1)
    today = business_date(now, settings.timezone)

    adjusters = [Adjuster(name=n, phone=p, email=e, region=r) for n, p, e, r in _ADJUSTERS]
    session.add_all(adjusters)

    holders: list[Policyholder] = []
    vehicles: list[Vehicle] = []  # the first vehicle of each policyholder
    phones = {DEMO_PHONE_EN, DEMO_PHONE_ZH}
    plates = {DEMO_PLATE_EN, DEMO_PLATE_ZH}
    policy_sequence = 123
    for index in range(24):
        language = Language.en if index % 2 == 0 else Language.zh
        names = _EN_NAMES if language is Language.en else _ZH_NAMES
        if index < 2:
            phone = (DEMO_PHONE_EN, DEMO_PHONE_ZH)[index]
            dob = (DEMO_DOB_EN, DEMO_DOB_ZH)[index]
            last4 = (DEMO_ID_LAST4_EN, DEMO_ID_LAST4_ZH)[index]
        else:
            phone = _phone(rng)
            while phone in phones:
                phone = _phone(rng)
            dob = date(rng.randint(1962, 2000), rng.randint(1, 12), rng.randint(1, 28))
            last4 = "".join(rng.choice("0123456789") for _ in range(3)) + rng.choice("0123456789X")
        phones.add(phone)
        holder = Policyholder(
            full_name=names[index // 2], phone=phone, date_of_birth=dob, id_number_last4=last4,
            preferred_language=language, created_at=now - timedelta(days=400 - index),
        )
        holders.append(holder)
        for policy_index in range(2 if index % 3 == 2 else 1):
            starts = today - timedelta(days=rng.randint(90, 300))
            policy = Policy(
                policy_number=f"PMV-2026-{policy_sequence:07d}", policyholder=holder,
                product="comprehensive" if rng.random() < 0.85 else "third_party",
                starts_on=starts, ends_on=starts + timedelta(days=364),
                deductible=rng.choice([Decimal("0"), Decimal("500"), Decimal("1000"), Decimal("2000")]),
                sum_insured=Decimal(rng.randrange(80_000, 400_000, 10_000)), status=PolicyStatus.active,
            )
            policy_sequence += 1
            make, model, wmi, new_energy = _MODELS[(index * 3 + policy_index * 7) % len(_MODELS)]
            city = _CITIES[(index + policy_index) % len(_CITIES)]
            policy.branch = city[1]
            year = rng.randint(2019, 2026)
            if index < 2 and policy_index == 0:
                plate, year = (DEMO_PLATE_EN, DEMO_PLATE_ZH)[index], (2021, 2022)[index]
                make, model, wmi, new_energy = (("Volkswagen", "Lavida", "LSV", False),
                                                ("BYD", "Han EV", "LGX", True))[index]
            else:
                plate = _plate(rng, city[0], new_energy)
                while plate in plates:
                    plate = _plate(rng, city[0], new_energy)
            plates.add(plate)
            vehicle = Vehicle(policy=policy, plate_number=plate, vin=_vin(rng, wmi, year), make=make, model=model,
                              year=year, colour=rng.choice(_COLOURS))
            # the papers' dates (a generator of their own, so that the rest of the demo data stays as it was)
            vehicle.inspection_due_on = today + timedelta(days=paper_dates.randint(1, 365))
            vehicle.maintenance_due_on = today + timedelta(days=paper_dates.randint(1, 180))
            session.add(vehicle)
            if policy_index == 0:
                vehicles.append(vehicle)
                holder.city = _city_of(vehicle)[1]
    session.flush()
    # The comprehensive product includes roadside assistance; third-party cover only with the rider, which the
    # two demo customers bought (so that both can try roadside help).
    for index, holder in enumerate(holders):
        for policy in holder.policies:
            policy.roadside_cover = policy.product == "comprehensive" or index < 2

    claims = _seed_claims(session, rng, now, settings, holders, vehicles, adjusters)
    _seed_roadside(session, rng, now, settings, holders, vehicles)
    _seed_nps(session, rng, claims, holders, now)
    session.commit()
    counts = {table.name: session.scalar(select(func.count()).select_from(table)) or 0
              for table in Base.metadata.sorted_tables}
    return SeedResult(created=True, counts=counts)


def _stage_durations(rng: random.Random, plan: ClaimPlan) -> list[timedelta]:
    """How long the claim stayed in each stage of its path, the last one up to now."""
    durations = []
    for position, stage in enumerate(plan.path):
        target_days = DEFAULT_STAGE_TARGETS_DAYS.get(stage.value, 2)
        if position == len(plan.path) - 1:
            # The current stage: some claims are already late against their target, most are not.
            share = rng.choice([0.2, 0.4, 0.6, 0.8, 1.3]) * rng.uniform(0.85, 1.15)
        else:
            share = rng.uniform(0.15, 1.1)
        durations.append(timedelta(hours=max(2.0, target_days * 24 * share)))
    return durations


def _seed_claims(session, rng, now, settings, holders, vehicles, adjusters) -> list[Claim]:
    planned = []
    for plan in _plans():
        durations = _stage_durations(rng, plan)
        reported_at = now - sum(durations, timedelta())
        planned.append((reported_at, plan, durations))
    # Numbers follow the order of reporting within each year, as in the back office.
    planned.sort(key=lambda item: item[0])
    claims = []
    for reported_at, plan, durations in planned:
        holder, vehicle = holders[plan.holder], vehicles[plan.holder]
        language = holder.preferred_language
        city = _city_of(vehicle)
        fast_track = fast_track_eligible(injuries=plan.injuries, third_party=plan.third_party,
                                         estimate=plan.estimate, limit=DEMO_FAST_TRACK_LIMIT)
        claim = Claim(
            claim_number=next_claim_number(session, year=business_date(reported_at, settings.timezone).year),
            policy=vehicle.policy, vehicle=vehicle, stage=plan.path[-1], fast_track=fast_track,
            injuries=plan.injuries, third_party=plan.third_party,
            incident_at=reported_at - timedelta(minutes=rng.randint(20, 26 * 60)), reported_at=reported_at,
            location_text=city[4] if language is Language.zh else city[5],
            latitude=round(city[2] + rng.uniform(-0.05, 0.05), 6),
            longitude=round(city[3] + rng.uniform(-0.05, 0.05), 6),
            description=rng.choice(_DESCRIPTIONS[language]),
            police_report_number=(f"{rng.randint(310000, 519999)}2026{rng.randint(0, 999999):06d}"
                                  if plan.third_party is not ThirdParty.none else None),
            drivable=rng.random() < 0.7, estimate_band=plan.estimate,
            adjuster=rng.choice(adjusters) if len(plan.path) > 1 else None,
            stage_changed_at=now - durations[-1],
        )
        _add_history(claim, plan, reported_at, durations)
        if ClaimStage.loss_review in plan.path:
            _add_assessment(claim, rng, plan)
        if claim.paid_at is not None:
            claim.payout_card_last4 = "".join(rng.choice("0123456789") for _ in range(4))
        session.add(claim)
        session.flush()  # the next claim number sees this one
        claims.append(claim)
    return claims


_ACTORS = {ClaimStage.reported: "policyholder", ClaimStage.withdrawn: "policyholder", ClaimStage.closed: "system"}
_REASSESSMENT_NOTE = "price dispute: parts re-assessed / 定损价格异议，重新定损"


def _add_history(claim: Claim, plan: ClaimPlan, reported_at: datetime, durations: list[timedelta]) -> None:
    at, previous = reported_at, None
    for position, stage in enumerate(plan.path):
        if previous is not None and not can_transition(previous, stage, fast_track=claim.fast_track):
            raise AssertionError(f"demo claim path {plan.path} breaks the stage machine at {stage}")
        note = plan.note if position == len(plan.path) - 1 else None
        if (previous, stage) == (ClaimStage.loss_review, ClaimStage.loss_assessment):
            note = _REASSESSMENT_NOTE
        claim.stage_events.append(ClaimStageEvent(
            from_stage=previous, to_stage=stage, occurred_at=at, actor=_ACTORS.get(stage, "back_office"), note=note,
        ))
        if stage is ClaimStage.paid:
            claim.paid_at = at
        at += durations[position]
        previous = stage


def _add_assessment(claim: Claim, rng: random.Random, plan: ClaimPlan) -> None:
    low, high = {EstimateBand.under_2000: (600, 1900), EstimateBand.from_2000_to_5000: (2100, 4800),
                 EstimateBand.from_5000_to_20000: (5200, 18000)}.get(plan.estimate, (21000, 48000))
    # Every assessed demo claim pays something: the repair costs more than the deductible.
    low = max(low, int(claim.policy.deductible) + 400)
    total = Decimal(rng.randint(low * 100, max(high, low + 600) * 100)) / 100
    labour = (total * Decimal(rng.choice(["0.25", "0.3", "0.35"]))).quantize(Decimal("0.01"))
    parts = total - labour
    depreciation = (parts * Decimal("0.05")).quantize(Decimal("0.01")) if claim.vehicle.year <= 2022 else Decimal(0)
    if plan.salvage is not None:
        salvage = Decimal(plan.salvage)
    else:
        salvage = Decimal(rng.choice([0, 0, 120, 300]) if plan.estimate is not EstimateBand.under_2000 else 0)
    breakdown = payout_breakdown(parts=parts, labour=labour, deductible=claim.policy.deductible,
                                 depreciation=depreciation, salvage=salvage)
    # The assessed inputs are stored, so that the breakdown can be shown again from the claim alone.
    claim.assessed_parts, claim.assessed_labour = breakdown.amount("parts"), breakdown.amount("labour")
    claim.depreciation, claim.salvage = to_money(depreciation), to_money(salvage)
    claim.deductible_applied, claim.payout_amount = breakdown.deductible_applied, breakdown.payout


def _seed_roadside(session, rng, now, settings, holders, vehicles) -> None:
    # Open rescues belong to policyholders the README does not cite, so that trying roadside help as the demo
    # customers starts a new request; they have no provider job (nothing follows them) and no chat.
    plans = [
        (0, ServiceType.tow, RoadsideStatus.completed, timedelta(days=20), "安达道路救援", 45),
        (5, ServiceType.jump_start, RoadsideStatus.en_route, timedelta(minutes=25), "顺通汽车救援", 18),
        (3, ServiceType.tyre_change, RoadsideStatus.booked, timedelta(minutes=8), "安达道路救援", 30),
        (4, ServiceType.fuel, RoadsideStatus.requested, timedelta(minutes=3), None, None),
        (6, ServiceType.lockout, RoadsideStatus.cancelled, timedelta(days=5), None, None),
        (9, ServiceType.tow, RoadsideStatus.arrived, timedelta(minutes=50), "顺通汽车救援", 0),
    ]
    for holder_index, service, status, age, provider, eta in plans:
        holder, vehicle = holders[holder_index], vehicles[holder_index]
        city = _city_of(vehicle)
        created = now - age
        closed = status in (RoadsideStatus.completed, RoadsideStatus.cancelled)
        request = RoadsideRequest(
            reference=next_roadside_reference(session, year=business_date(created, settings.timezone).year),
            policyholder=holder, policy=vehicle.policy, vehicle=vehicle, service_type=service, status=status,
            latitude=round(city[2] + rng.uniform(-0.08, 0.08), 6),
            longitude=round(city[3] + rng.uniform(-0.08, 0.08), 6),
            address=city[4] if holder.preferred_language is Language.zh else city[5],
            provider_name=provider, truck_plate=_plate(rng, city[0][0] + "D", False) if provider else None,
            eta_minutes=eta, created_at=created, updated_at=min(now, created + timedelta(minutes=5)),
            told_status=status, closed_at=created + timedelta(minutes=40) if closed else None,
        )
        session.add(request)
        session.add(RoadsideEvent(request=request, from_status=None, to_status=RoadsideStatus.requested,
                                  actor="customer", occurred_at=created))
        if status is not RoadsideStatus.requested:
            session.add(RoadsideEvent(request=request, from_status=RoadsideStatus.requested, to_status=status,
                                      actor="provider", occurred_at=min(now, created + timedelta(minutes=5))))
        session.flush()  # the next reference sees this one


# Survey answers as customers write them, by group: enough over six months and several branches for the report.
_NPS_COMMENTS = {
    "detractor": {
        Language.en: ["The survey and assessment took far too long.", "Nobody explained how the payout was calculated.",
                      "I disagreed with the parts price, far too low.", "Nobody told me what to do at the scene.",
                      "The assessor was rude to me.", "Three weeks waiting for the money.", None],
        Language.zh: ["查勘定损太慢了。", "赔款怎么算的没人解释。", "定损价格太低了，有争议。", "出事的时候没人指导我。",
                      "客服态度很差。", "等了半个月才赔。", None],
    },
    "passive": {
        Language.en: ["Fine, but I had to chase for updates.", "Be faster with the assessment.",
                      "Explain the payout breakdown better.", None],
        Language.zh: ["还可以，就是进度要自己问。", "定损能再快一点就好了。", "赔款明细希望解释得清楚一些。", None],
    },
    "promoter": {
        Language.en: ["Quick payout, within days.", "Everything went smoothly.", "The staff were friendly and patient.",
                      "Very professional assessor.", None],
        Language.zh: ["赔款很快，几天就到账了。", "整个过程都很顺利。", "客服态度很好，很耐心。", "查勘员很专业。", None],
    },
}


def _seed_nps(session, rng, claims: list[Claim], holders: list[Policyholder], now: datetime) -> None:
    """Answers to the finished claims, and six months of survey history (by phone before the chat survey)."""
    finished = [c for c in claims if c.stage in (ClaimStage.paid, ClaimStage.closed)]
    for claim, score in zip(finished, [10, 3, 9, 6, 8, 7, 9]):
        holder = claim.policy.policyholder
        comment = rng.choice([c for c in _NPS_COMMENTS[nps_category(score).value][holder.preferred_language] if c])
        session.add(NpsResponse(
            policyholder=holder, chat_id=SEED_CHAT_ID_BASE + holder.id, claim=claim, score=score,
            follow_up=follow_up_for_score(score), comment=comment, reason=classify_reason(comment, nps_category(score)),
            branch=claim.policy.branch, channel="telegram",
            created_at=claim.paid_at + timedelta(days=rng.randint(1, 3)),
        ))
    # Roughly the study's mix: two in three promoters, one in four passive, the rest detractors.
    for _ in range(150):
        holder = rng.choice(holders)
        roll = rng.random()
        score = rng.choice([9, 10, 10]) if roll < 0.64 else rng.choice([7, 8]) if roll < 0.90 else rng.randint(0, 6)
        comment = rng.choice(_NPS_COMMENTS[nps_category(score).value][holder.preferred_language])
        days_ago = rng.randint(8, 183)
        session.add(NpsResponse(
            policyholder=holder, chat_id=SEED_CHAT_ID_BASE + holder.id, score=score,
            follow_up=follow_up_for_score(score), comment=comment,
            reason=classify_reason(comment, nps_category(score)) if comment else None,
            branch=holder.policies[0].branch, channel="phone" if days_ago > 60 else "telegram",
            created_at=now - timedelta(days=days_ago, hours=rng.randint(0, 8)),
        ))
    # Surveys sent and never answered (the study reached 39.89% by phone; chat does better, not everyone).
    for _ in range(60):
        holder = rng.choice(holders)
        sent_at = now - timedelta(days=rng.randint(8, 183), hours=rng.randint(0, 8))
        session.add(NpsSurvey(
            trigger=SurveyTrigger.claim_paid, policyholder=holder, chat_id=SEED_CHAT_ID_BASE + holder.id,
            branch=holder.policies[0].branch, channel="telegram", status=SurveyStatus.expired,
            completed_at=sent_at - timedelta(days=1), due_at=sent_at, sent_at=sent_at,
        ))


def demo_identities() -> dict[str, str]:
    """The cited identities, masked where personal, for printing after a seed."""
    return {
        "English": f"{DEMO_NAME_EN}, phone {mask_phone(DEMO_PHONE_EN)}, policy {DEMO_POLICY_EN}, "
                   f"born {DEMO_DOB_EN}, claims {DEMO_CLAIM_PAID_EN} (paid), {DEMO_CLAIM_ASSESSMENT_EN}",
        "Chinese": f"{DEMO_NAME_ZH}, phone {mask_phone(DEMO_PHONE_ZH)}, policy {DEMO_POLICY_ZH}, "
                   f"born {DEMO_DOB_ZH}, claims {DEMO_CLAIM_PAID_ZH} (paid), {DEMO_CLAIM_ASSESSMENT_ZH}",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Load the demo data (migrating the database first).")
    parser.add_argument("--reset", action="store_true", help="delete ALL data first, then seed")
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or the settings default)")
    args = parser.parse_args(argv)
    url = args.url or get_settings().database_url
    upgrade_database(url)
    engine = make_engine(url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            if args.reset:
                wipe_all_data(session)
            result = seed_demo_data(session, now=utcnow())
    finally:
        engine.dispose()
    if not result.created:
        print("demo data already present (use --reset to re-seed)")
    else:
        print("seeded: " + ", ".join(f"{name} {count}" for name, count in result.counts.items() if count))
    for language, identity in demo_identities().items():
        print(f"{language} demo: {identity}")


if __name__ == "__main__":
    main()
