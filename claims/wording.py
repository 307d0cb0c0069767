"""How domain terms are said to customers, in English and Simplified Chinese.

Shared by the bot (proactive stage updates) and the action server (claim status), so that a stage, a
document or a payout line is called the same everywhere. English is plain, for a car owner; Chinese uses
the insurer's usual terms (报案, 查勘, 定损, 核损核价, 理算, 核赔, 赔款已支付, 结案, 待补材料, 拒赔, 撤案).
An unknown language falls back to English, like the bot's own texts.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from claims.clock import require_aware
from claims.enums import ChecklistItem, Language, RoadsideStatus, ServiceType, ThirdParty
from claims.money import to_money
from claims.payout import PayoutBreakdown
from claims.stages import ClaimStage, next_stage
from claims.triage import EstimateBand, TriageReason

if TYPE_CHECKING:  # wording needs no database; these only name what is passed in
    from claims.models import Claim, Vehicle
    from claims.services.tracking import AdjusterContact, ClaimStatus

_S, _I = ClaimStage, ChecklistItem


def language_of(lang: Language | str | None) -> Language:
    """`zh`, `zh-CN`, Language.zh, "Language.zh" (str() of the enum) -> zh; anything else (None, `en`, `fr`)
    -> en."""
    code = str(getattr(lang, "value", lang) or "").lower().removeprefix("language.")
    return Language.zh if code.startswith("zh") else Language.en


def _pick(variants: dict[Language, str], lang: Language | str | None) -> str:
    return variants[language_of(lang)]


# --------------------------------------------------------------------------------------------- stages

_STAGE_LABELS: dict[ClaimStage, dict[Language, str]] = {
    _S.reported: {Language.en: "Claim reported", Language.zh: "已报案"},
    _S.awaiting_documents: {Language.en: "Waiting for your documents", Language.zh: "待补材料"},
    _S.survey: {Language.en: "Damage inspection", Language.zh: "查勘"},
    _S.loss_assessment: {Language.en: "Loss assessment", Language.zh: "定损"},
    _S.loss_review: {Language.en: "Repair cost check", Language.zh: "核损核价"},
    _S.adjustment: {Language.en: "Payout calculation", Language.zh: "理算"},
    _S.approval: {Language.en: "Payout approval", Language.zh: "核赔"},
    _S.paid: {Language.en: "Paid", Language.zh: "赔款已支付"},
    _S.closed: {Language.en: "Closed", Language.zh: "已结案"},
    _S.rejected: {Language.en: "Claim declined", Language.zh: "拒赔"},
    _S.withdrawn: {Language.en: "Withdrawn", Language.zh: "已撤案"},
}

_STAGE_MEANINGS: dict[ClaimStage, dict[Language, str]] = {
    _S.reported: {
        Language.en: "We have received your claim and are arranging the next step; there is nothing you need "
                     "to do right now.",
        Language.zh: "我们已收到您的报案，正在安排下一步处理，您暂时无需操作。",
    },
    _S.awaiting_documents: {
        Language.en: "We need some documents or photos from you before we can continue; please send them in "
                     "this chat.",
        Language.zh: "案件需要您补充材料或照片后才能继续处理，请直接在本对话中发送。",
    },
    _S.survey: {
        Language.en: "A claims inspector is checking what happened and the damage to your car; they may call "
                     "you or arrange to see the car.",
        Language.zh: "查勘员正在核实事故经过和车辆损失情况，可能会给您打电话或约您现场查看车辆。",
    },
    _S.loss_assessment: {
        Language.en: "An assessor is working out what the repair will cost (parts and labour); you can agree "
                     "the repair shop with them.",
        Language.zh: "定损员正在核定维修需要的配件和工时费用，您可以和定损员确认维修厂。",
    },
    _S.loss_review: {
        Language.en: "We are double-checking the repair prices agreed with the assessor; you don't need to do "
                     "anything.",
        Language.zh: "我们正在复核定损的配件价格和工时费用（核损核价），您无需操作。",
    },
    _S.adjustment: {
        Language.en: "We are working out your payout: the repair cost minus your deductible and any other "
                     "deductions.",
        Language.zh: "我们正在根据核定的维修金额，扣除免赔额等项目，计算您的赔款金额（理算）。",
    },
    _S.approval: {
        Language.en: "Your payout is being approved; once it is, we pay it to your bank card.",
        Language.zh: "您的赔款正在审核（核赔），审核通过后将支付到您的银行卡。",
    },
    _S.paid: {
        Language.en: "We have paid your payout to your bank card; it can take 1 to 3 working days to show in "
                     "your account.",
        Language.zh: "赔款已支付到您的银行卡，到账一般需要1至3个工作日。",
    },
    _S.closed: {
        Language.en: "Your claim is finished and closed; thank you for your patience.",
        Language.zh: "您的案件已处理完毕并结案，感谢您的耐心配合。",
    },
    _S.rejected: {
        Language.en: "We are sorry, this claim is not covered by your policy; your claims handler will explain "
                     "why, and you can ask for a review.",
        Language.zh: "很抱歉，本次事故不在保险责任范围内（拒赔），理赔人员会向您说明原因，如有异议可申请复核。",
    },
    _S.withdrawn: {
        Language.en: "This claim was withdrawn, so we are not taking it any further.",
        Language.zh: "该案件已撤案，不再继续处理。",
    },
}


def stage_label(stage: ClaimStage | str, lang: Language | str) -> str:
    """The stage's name for customers: "Loss assessment" / "定损"."""
    return _pick(_STAGE_LABELS[ClaimStage(stage)], lang)


def stage_meaning(stage: ClaimStage | str, lang: Language | str) -> str:
    """One plain sentence: what happens in this stage and what the customer should expect or do."""
    return _pick(_STAGE_MEANINGS[ClaimStage(stage)], lang)


# What is said about the step after: none after the stages where the claim ends or the customer acts.
_NO_NEXT_STEP = frozenset({_S.awaiting_documents, _S.paid, _S.closed, _S.rejected, _S.withdrawn})


def stage_update_text(
    stage: ClaimStage | str, lang: Language | str, *, claim_number: str, fast_track: bool = False
) -> str:
    """The message pushed when a claim reaches `stage`: the new stage, what it means, what comes next."""
    stage = ClaimStage(stage)
    zh = language_of(lang) is Language.zh
    label, meaning = stage_label(stage, lang), stage_meaning(stage, lang)
    lines = ([f"您的案件 {claim_number} 有新进展：{label}。", meaning] if zh
             else [f"Update on your claim {claim_number}: {label}.", meaning])
    upcoming = None if stage in _NO_NEXT_STEP else next_stage(stage, fast_track=fast_track)
    if upcoming is not None:
        lines.append(f"下一步：{stage_label(upcoming, lang)}。" if zh
                     else f"Next step: {stage_label(upcoming, lang)}.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ documents

_CHECKLIST_LABELS: dict[ChecklistItem, dict[Language, str]] = {
    _I.front_left: {Language.en: "Photo of the front-left corner", Language.zh: "车辆左前45度照片"},
    _I.front_right: {Language.en: "Photo of the front-right corner", Language.zh: "车辆右前45度照片"},
    _I.rear_left: {Language.en: "Photo of the rear-left corner", Language.zh: "车辆左后45度照片"},
    _I.rear_right: {Language.en: "Photo of the rear-right corner", Language.zh: "车辆右后45度照片"},
    _I.damage_closeup: {Language.en: "Close-up photo of the damage", Language.zh: "受损部位近景照片"},
    _I.vin_or_plate: {Language.en: "Photo of the VIN or the number plate", Language.zh: "车架号（VIN）或车牌照片"},
    _I.driving_licence: {Language.en: "Driving licence", Language.zh: "驾驶证"},
    _I.vehicle_licence: {Language.en: "Vehicle registration certificate", Language.zh: "行驶证"},
    _I.id_card: {Language.en: "ID card", Language.zh: "身份证"},
    _I.bank_card: {Language.en: "Bank card for the payout", Language.zh: "收款银行卡"},
    _I.police_report: {Language.en: "Police accident report", Language.zh: "交警事故认定书"},
    _I.repair_invoice: {Language.en: "Repair invoice", Language.zh: "维修发票"},
    _I.other: {Language.en: "Other document", Language.zh: "其他材料"},
}


def checklist_label(item: ChecklistItem | str, lang: Language | str) -> str:
    """What a document or photo is called: "Photo of the front-left corner" / "车辆左前45度照片"."""
    return _pick(_CHECKLIST_LABELS[ChecklistItem(item)], lang)


# ------------------------------------------------------------------------------------------ the payout

_PAYOUT_LINE_LABELS: dict[str, dict[Language, str]] = {
    "parts": {Language.en: "Parts", Language.zh: "配件费"},
    "labour": {Language.en: "Labour", Language.zh: "工时费"},
    "subtotal": {Language.en: "Repair cost", Language.zh: "维修金额合计"},
    "deductible": {Language.en: "Your deductible", Language.zh: "免赔额"},
    "depreciation": {Language.en: "Wear and tear (depreciation)", Language.zh: "折旧"},
    "salvage": {Language.en: "Value of the replaced parts (salvage)", Language.zh: "残值"},
    "payout": {Language.en: "Payout", Language.zh: "赔款金额"},
}
PAYOUT_LINE_KEYS = tuple(_PAYOUT_LINE_LABELS)


def payout_line_label(key: str, lang: Language | str) -> str:
    """The label of a payout breakdown line (parts, labour, subtotal, deductible, depreciation, salvage,
    payout); KeyError for anything else."""
    return _pick(_PAYOUT_LINE_LABELS[key], lang)


_CURRENCY_NAMES_ZH = {"CNY": "元", "RMB": "元", "HKD": "港元", "USD": "美元", "EUR": "欧元"}


def format_money(amount: Decimal | int, lang: Language | str, currency: str = "CNY") -> str:
    """en `CNY 12,345.60`, zh `12,345.60 元`; negative amounts `-CNY 500.00` / `-500.00 元`.

    Rounded to cents half-up; floats are refused (they are already inexact)."""
    value = to_money(amount)
    sign = "-" if value < 0 else ""  # -0.00 is shown as 0.00
    digits = f"{abs(value):,.2f}"
    code = currency.strip().upper()
    if language_of(lang) is Language.zh:
        return f"{sign}{digits} {_CURRENCY_NAMES_ZH.get(code, code)}"
    return f"{sign}{code} {digits}"


def format_payout_lines(
    breakdown: PayoutBreakdown, lang: Language | str, currency: str = "CNY"
) -> list[tuple[str, str]]:
    """(label, amount) for every line to show, then the payout; deductions that are zero are left out,
    so that only what applies is explained."""
    shown = [line for line in breakdown.lines
             if line.key in ("parts", "labour", "subtotal") or line.amount != 0]
    rows = [(payout_line_label(line.key, lang), format_money(line.amount, lang, currency)) for line in shown]
    rows.append((payout_line_label("payout", lang), format_money(breakdown.payout, lang, currency)))
    return rows


# ---------------------------------------------------------------------------------------------- dates

_MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_date(value: datetime | date, lang: Language | str, tz: tzinfo | str) -> str:
    """en `12 Nov 2026`, zh `2026年11月12日`: the calendar date in the business timezone `tz`
    (an aware datetime is converted first; a date is shown as it is)."""
    if isinstance(value, datetime):
        value = require_aware(value).astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz).date()
    if language_of(lang) is Language.zh:
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value.day} {_MONTH_ABBREVIATIONS[value.month - 1]} {value.year}"


def expected_by_text(due: datetime, lang: Language | str, tz: tzinfo | str, *, overdue: bool) -> str:
    """When the next stage is expected: "Expected by 14 Nov 2026" / "预计2026年11月14日前完成", or when late,
    an apology rather than a date in the past."""
    when = format_date(due, lang, tz)
    if language_of(lang) is Language.zh:
        return (f"本阶段原定{when}前完成，目前比平时慢一些，我们正在跟进，抱歉让您久等。" if overdue
                else f"预计{when}前进入下一步。")
    return (f"This step was due by {when} and is taking longer than usual; we are chasing it, sorry for the "
            "wait." if overdue else f"Expected to move on by {when}.")


# ------------------------------------------------------------------------- lines of the claim status


def format_phone(phone: str) -> str:
    """A phone to call, readable: `+8613901762245` -> `+86 139 0176 2245`; others as stored."""
    if phone.startswith("+86") and len(phone) == 14 and phone[1:].isdigit():
        return f"+86 {phone[3:6]} {phone[6:10]} {phone[10:]}"
    return phone


def handler_line(adjuster: AdjusterContact | None, lang: Language | str) -> str:
    """Who handles the claim and how to reach them; who to ask while nobody is assigned yet."""
    zh = language_of(lang) is Language.zh
    if adjuster is None:
        return ("我们正在为您的案件安排理赔员；如需帮助，可发送 /agent 联系人工客服。" if zh
                else "We are assigning someone to handle your claim; if you need help meanwhile, send /agent "
                     "to reach a person.")
    phone = format_phone(adjuster.phone)
    if zh:
        email = f"，邮箱 {adjuster.email}" if adjuster.email else ""
        return f"负责您案件的理赔员：{adjuster.name}，电话 {phone}{email}。"
    email = f", email {adjuster.email}" if adjuster.email else ""
    return f"Your claim is handled by {adjuster.name}: phone {phone}{email}."


def todo_line(missing_items: Sequence[ChecklistItem], lang: Language | str) -> str:
    """What the customer still has to send, or that nothing is needed."""
    zh = language_of(lang) is Language.zh
    if not missing_items:
        return "目前无需您提供其他材料。" if zh else "Nothing is needed from you right now."
    labels = [checklist_label(item, lang) for item in missing_items]
    if zh:
        return "还需要您提供：" + "、".join(labels) + "。请直接在本对话中发送。"
    return "Still needed from you: " + "; ".join(labels) + ". You can send them here in this chat."


def next_step_line(status: ClaimStatus, lang: Language | str, tz: tzinfo | str) -> str:
    """The next stage and when it is expected (or that it is late), or that nothing more will happen."""
    zh = language_of(lang) is Language.zh
    if status.next_stage is None:
        return "本案件没有后续步骤。" if zh else "There are no further steps on this claim."
    following = stage_label(status.next_stage, lang)
    line = f"下一步：{following}。" if zh else f"Next step: {following}."
    if status.next_stage_due is None:
        return line
    when = expected_by_text(status.next_stage_due, lang, tz, overdue=status.overdue)
    return f"{line}{when}" if zh else f"{line} {when}"


def payment_line(status: ClaimStatus, lang: Language | str, tz: tzinfo | str) -> str:
    """When and where the payout was paid (card: last 4 digits only), or how it will be paid."""
    zh = language_of(lang) is Language.zh
    if status.payout_paid_at is None:
        return ("核赔通过后，赔款将支付到您提供的银行卡，一般1至3个工作日到账。" if zh
                else "Once approved, the payout is paid to the bank card you gave us; it usually arrives within "
                     "1 to 3 working days.")
    when = format_date(status.payout_paid_at, lang, tz)
    card = status.payout_card_last4
    if zh:
        return f"赔款已于{when}支付到您尾号{card}的银行卡。" if card else f"赔款已于{when}支付到您的银行卡。"
    return (f"Paid on {when} to your bank card ending {card}." if card
            else f"Paid on {when} to your bank card.")


def claim_choice_label(claim: Claim, lang: Language | str) -> str:
    """A short button label for picking one of several claims: number, plate, stage."""
    return f"{claim.claim_number} · {claim.vehicle.plate_number} · {stage_label(claim.stage, lang)}"


# ------------------------------------------------------------------------------- the accident report

_THIRD_PARTY_LABELS: dict[ThirdParty, dict[Language, str]] = {
    ThirdParty.none: {Language.en: "Nobody else, only my car", Language.zh: "无，只有我的车"},
    ThirdParty.other_vehicle: {Language.en: "Another vehicle", Language.zh: "其他车辆"},
    ThirdParty.property: {Language.en: "Someone else's property", Language.zh: "他人财物"},
    ThirdParty.pedestrian: {Language.en: "A pedestrian or cyclist", Language.zh: "行人或骑车人"},
}
_ESTIMATE_LABELS: dict[EstimateBand, dict[Language, str]] = {
    EstimateBand.under_2000: {Language.en: "Under 2,000 CNY", Language.zh: "2000 元以下"},
    EstimateBand.from_2000_to_5000: {Language.en: "2,000–5,000 CNY", Language.zh: "2000–5000 元"},
    EstimateBand.from_5000_to_20000: {Language.en: "5,000–20,000 CNY", Language.zh: "5000–20000 元"},
    EstimateBand.over_20000: {Language.en: "Over 20,000 CNY", Language.zh: "20000 元以上"},
    EstimateBand.unknown: {Language.en: "Not sure yet", Language.zh: "暂不确定"},
}
# Why a claim is not fast-track, as the end of "It goes the standard way because ..." / "因为……".
_TRIAGE_REASONS: dict[TriageReason, dict[Language, str]] = {
    TriageReason.injuries: {Language.en: "someone was hurt", Language.zh: "有人受伤"},
    TriageReason.third_party: {Language.en: "someone else was involved", Language.zh: "涉及第三方"},
    TriageReason.estimate_over_limit: {Language.en: "the repair may cost more than the fast-track limit",
                                       Language.zh: "预估损失超过快速理赔的额度"},
    TriageReason.estimate_unknown: {Language.en: "the repair cost is not known yet",
                                    Language.zh: "损失金额暂不确定"},
}


def third_party_label(value: ThirdParty | str, lang: Language | str) -> str:
    """Who else was involved, as the summary shows it."""
    return _pick(_THIRD_PARTY_LABELS[ThirdParty(value)], lang)


def estimate_band_label(value: EstimateBand | str, lang: Language | str) -> str:
    """The customer's estimate band, as the summary shows it."""
    return _pick(_ESTIMATE_LABELS[EstimateBand(value)], lang)


def yes_no_label(value: bool, lang: Language | str) -> str:
    """Yes / No in the customer's language."""
    return _pick({Language.en: "Yes" if value else "No", Language.zh: "是" if value else "否"}, lang)


def no_police_report_label(lang: Language | str) -> str:
    """What the summary shows when there is no police report."""
    return _pick({Language.en: "None", Language.zh: "无"}, lang)


def triage_reasons_text(reasons: Sequence[TriageReason], lang: Language | str) -> str:
    """The reasons a claim goes the standard way, joined for a sentence."""
    parts = [_pick(_TRIAGE_REASONS[reason], lang) for reason in reasons]
    if not parts:
        return ""
    if language_of(lang) is Language.zh:
        return "、".join(parts)
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def format_date_time(value: datetime, lang: Language | str, tz: tzinfo | str) -> str:
    """en `23 Nov 2026, 14:30`, zh `2026年11月23日 14:30`, in the business timezone."""
    local = require_aware(value).astimezone(ZoneInfo(tz) if isinstance(tz, str) else tz)
    separator = " " if language_of(lang) is Language.zh else ", "
    return f"{format_date(local.date(), lang, tz)}{separator}{local:%H:%M}"


def spell_out(text: str) -> str:
    """A name or plate letter by letter, to catch misspellings: `Carter` -> `C-A-R-T-E-R`,
    `沪A6K215` -> `沪 · A · 6 · K · 2 · 1 · 5`, `张伟` -> `张 · 伟`."""
    words = text.split()
    if words and all(_is_latin_word(word) for word in words):
        return " ".join("-".join(c.upper() for c in word if c.isalpha()) for word in words)
    return " · ".join(character.upper() for character in text if not character.isspace())


def _is_latin_word(word: str) -> bool:
    """José, Jean-Luc, O'Brien: Latin letters (accents too), hyphens and apostrophes; not 张 (also isalpha)."""
    letters = [c for c in word if c not in "-'’"]
    return bool(letters) and all(c.isalpha() and unicodedata.name(c, "").startswith("LATIN") for c in letters)


def vehicle_label(vehicle: Vehicle) -> str:
    """A car as the customer knows it: `沪A6K215 · Tesla Model 3`."""
    return f"{vehicle.plate_number} · {vehicle.make} {vehicle.model}"


def checklist_text(items: Sequence[ChecklistItem], lang: Language | str) -> str:
    """A list of documents for one line of a message."""
    labels = [checklist_label(item, lang) for item in items]
    return "、".join(labels) if language_of(lang) is Language.zh else "; ".join(labels)


_WEEKDAY_NAMES = {
    Language.en: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    Language.zh: ("周一", "周二", "周三", "周四", "周五", "周六", "周日"),
}


def format_desk_time(value: datetime, lang: Language | str, tz: tzinfo | str, *, now: datetime) -> str:
    """When the desk opens or closes, as people say it: `today 20:00`, `tomorrow 08:30`, `Monday 08:30`
    (zh `今天 20:00`, `明天 08:30`, `周一 08:30`); a date when more than a week away."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local, today = require_aware(value).astimezone(zone), require_aware(now).astimezone(zone).date()
    zh = language_of(lang) is Language.zh
    days = (local.date() - today).days
    if days == 0:
        day = "今天" if zh else "today"
    elif days == 1:
        day = "明天" if zh else "tomorrow"
    elif 1 < days < 7:
        day = _WEEKDAY_NAMES[language_of(lang)][local.weekday()]
    else:
        day = format_date(local.date(), lang, zone)
    return f"{day} {local:%H:%M}"


# ------------------------------------------------------------------------------------------ roadside

_SERVICE_LABELS: dict[ServiceType, dict[Language, str]] = {
    ServiceType.tow: {Language.en: "tow truck", Language.zh: "拖车"},
    ServiceType.jump_start: {Language.en: "jump start", Language.zh: "搭电"},
    ServiceType.tyre_change: {Language.en: "tyre change", Language.zh: "换胎"},
    ServiceType.fuel: {Language.en: "fuel delivery", Language.zh: "送油"},
    ServiceType.lockout: {Language.en: "lockout (opening the car)", Language.zh: "开锁"},
    ServiceType.winch: {Language.en: "winching out", Language.zh: "陷车拖拽"},
}

_ROADSIDE_STATUS_LABELS: dict[RoadsideStatus, dict[Language, str]] = {
    RoadsideStatus.requested: {Language.en: "finding a truck", Language.zh: "正在派车"},
    RoadsideStatus.booked: {Language.en: "truck assigned", Language.zh: "已派车"},
    RoadsideStatus.en_route: {Language.en: "truck on its way", Language.zh: "救援车在路上"},
    RoadsideStatus.approaching: {Language.en: "truck nearly there", Language.zh: "救援车即将到达"},
    RoadsideStatus.arrived: {Language.en: "truck arrived", Language.zh: "救援车已到达"},
    RoadsideStatus.completed: {Language.en: "completed", Language.zh: "已完成"},
    RoadsideStatus.cancelled: {Language.en: "cancelled", Language.zh: "已取消"},
    RoadsideStatus.gone_on_arrival: {Language.en: "truck found nobody there", Language.zh: "救援车到场未见车主"},
    RoadsideStatus.declined: {Language.en: "handed to a colleague (no truck available)", Language.zh: "无车可派，已转人工"},
}


def service_label(value: ServiceType | str, lang: Language | str) -> str:
    """The roadside service, as the summary and messages name it."""
    return _pick(_SERVICE_LABELS[ServiceType(value)], lang)


def roadside_status_label(value: RoadsideStatus | str, lang: Language | str) -> str:
    """Where a rescue stands, in a few words (agents' card, back office)."""
    return _pick(_ROADSIDE_STATUS_LABELS[RoadsideStatus(value)], lang)


# What a customer can ask for, as the "Did you mean ...?" buttons name it when a message could be either of two.
_REQUEST_LABELS = {
    "report_accident": {Language.en: "🚗 Report an accident", Language.zh: "🚗 报案"},
    "track_claim": {Language.en: "🔎 Track a claim", Language.zh: "🔎 查理赔进度"},
    "request_roadside_assistance": {Language.en: "🛠 Roadside help", Language.zh: "🛠 道路救援"},
    "ask_roadside_status": {Language.en: "🚚 Where the truck is", Language.zh: "🚚 救援车到哪了"},
    "request_human": {Language.en: "👤 Talk to a person", Language.zh: "👤 转人工"},
    "ask_required_documents": {Language.en: "📄 Documents needed", Language.zh: "📄 需要哪些材料"},
    "ask_fast_track": {Language.en: "⚡ Fast-track claims", Language.zh: "⚡ 快速理赔"},
    "upload_photos": {Language.en: "📷 Send photos", Language.zh: "📷 上传照片"},
    "complain": {Language.en: "😠 Make a complaint", Language.zh: "😠 投诉"},
    "dispute_assessment": {Language.en: "⚖️ Dispute the amount", Language.zh: "⚖️ 对定损金额有异议"},
    "verify_by_policy": {Language.en: "🔐 Verify with my policy number", Language.zh: "🔐 用保单号验证"},
}
OFFERABLE_REQUESTS = frozenset(_REQUEST_LABELS)


def request_label(intent: str, lang: Language | str) -> str:
    """A request the bot can start, as a button names it."""
    return _pick(_REQUEST_LABELS[intent], lang)


def shared_location_label(latitude: float, longitude: float, lang: Language | str) -> str:
    """A location shared from Telegram, as the summary shows it."""
    where = f"{latitude:.5f}, {longitude:.5f}"
    return _pick({Language.en: f"📍 your shared location ({where})", Language.zh: f"📍 您发送的位置（{where}）"}, lang)


def survey_subject(*, claim_number: str | None, roadside_reference: str | None, completed_at: datetime,
                   lang: Language | str, tz: tzinfo | str) -> str:
    """What the survey asks about, above its first question: the paid claim or the completed rescue."""
    day = format_date(completed_at, lang, tz)
    if language_of(lang) is Language.zh:
        if claim_number:
            return f"您的理赔 {claim_number} 已于{day}赔付。耽误您半分钟，想听听您的评价。"
        return f"您的道路救援 {roadside_reference} 已于{day}完成。耽误您半分钟，想听听您的评价。"
    if claim_number:
        return f"Your claim {claim_number} was paid on {day}. May I ask you one quick question about it?"
    return f"Your roadside help {roadside_reference} was completed on {day}. May I ask you one quick question about it?"
