"""Test factories: insert one row with sensible defaults (override any column by keyword) and commit."""
from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from claims.clock import utcnow
from claims.enums import (
    CampaignKind, CampaignStatus, ChecklistItem, DeliveryKind, DeliveryStatus, HandoffReason, HandoffStatus, Language,
    PolicyStatus, RoadsideStatus, ServiceType, ThirdParty, VerificationMethod,
)
from claims.models import (
    Adjuster, Campaign, Claim, ClaimDocument, ClaimStageEvent, Delivery, Handoff, Policy, Policyholder, RoadsideRequest,
    Vehicle, VerificationAttempt,
)
from claims.numbering import next_claim_number
from claims.stages import ClaimStage
from claims.triage import EstimateBand

_sequence = itertools.count(1)


def _save(session: Session, row: Any) -> Any:
    session.add(row)
    session.commit()
    return row


def make_policyholder(session: Session, **overrides: Any) -> Policyholder:
    n = next(_sequence)
    values: dict[str, Any] = dict(
        full_name=f"Test Holder {n}", phone=f"+86139{n:08d}", date_of_birth=date(1985, 6, 15),
        id_number_last4=f"{n % 10000:04d}", preferred_language=Language.en, created_at=utcnow(),
    )
    return _save(session, Policyholder(**{**values, **overrides}))


def make_linked_policyholder(
    session: Session, *, telegram_user_id: int | None = None,
    linked_at: datetime = datetime(2026, 1, 1, tzinfo=timezone.utc), **overrides: Any
) -> Policyholder:
    """A policyholder already verified from a Telegram account (`telegram_user_id`, default a fresh one)."""
    telegram_user_id = telegram_user_id if telegram_user_id is not None else 7_000_000 + next(_sequence)
    policyholder = make_policyholder(session, telegram_user_id=telegram_user_id, **overrides)
    # linking is a successful check; stage updates are pushed for what happens after it
    session.add(VerificationAttempt(chat_id=telegram_user_id, method=VerificationMethod.contact, succeeded=True,
                                    attempted_at=linked_at))
    session.commit()
    return policyholder


def make_policy(session: Session, *, policyholder: Policyholder | None = None, **overrides: Any) -> Policy:
    n = next(_sequence)
    values: dict[str, Any] = dict(
        policy_number=f"PMV-2026-{9_000_000 + n:07d}", product="comprehensive",
        starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31), deductible=Decimal("500.00"),
        sum_insured=Decimal("200000.00"), status=PolicyStatus.active,
    )
    values.update(overrides)
    if "policyholder_id" not in values:
        values["policyholder"] = policyholder or make_policyholder(session)
    return _save(session, Policy(**values))


def make_vehicle(session: Session, *, policy: Policy | None = None, **overrides: Any) -> Vehicle:
    n = next(_sequence)
    values: dict[str, Any] = dict(
        plate_number=f"沪A{n % 100000:05d}", vin="LSVAU218XN2183294", make="Volkswagen", model="Lavida",
        year=2022, colour="white",
    )
    values.update(overrides)
    if "policy_id" not in values:
        values["policy"] = policy or make_policy(session)
    return _save(session, Vehicle(**values))


def make_adjuster(session: Session, **overrides: Any) -> Adjuster:
    n = next(_sequence)
    values: dict[str, Any] = dict(name=f"王磊{n}", phone=f"+86137{n:08d}", email=f"adjuster{n}@claims.example.cn",
                                  region="Shanghai")
    return _save(session, Adjuster(**{**values, **overrides}))


def make_claim(
    session: Session, *, vehicle: Vehicle | None = None, stage: ClaimStage = ClaimStage.reported,
    now: datetime | None = None, **overrides: Any,
) -> Claim:
    """A claim (with its `reported` event) in `stage`; pass `vehicle` to file it on an existing policy."""
    now = now or utcnow()
    vehicle = vehicle or make_vehicle(session)
    reported_at = overrides.pop("reported_at", now - timedelta(days=1))
    values: dict[str, Any] = dict(
        claim_number=next_claim_number(session, year=reported_at.astimezone(timezone.utc).year),
        policy=vehicle.policy, vehicle=vehicle, stage=stage, fast_track=False, injuries=False,
        third_party=ThirdParty.none, incident_at=reported_at - timedelta(hours=2), reported_at=reported_at,
        description="Rear-ended at a red light.", estimate_band=EstimateBand.from_2000_to_5000,
        stage_changed_at=reported_at if stage is ClaimStage.reported else now,
    )
    values.update(overrides)
    claim = Claim(**values)
    claim.stage_events.append(ClaimStageEvent(
        from_stage=None, to_stage=ClaimStage.reported, occurred_at=reported_at, actor="policyholder"
    ))
    if stage is not ClaimStage.reported:
        claim.stage_events.append(ClaimStageEvent(
            from_stage=ClaimStage.reported, to_stage=stage, occurred_at=values["stage_changed_at"],
            actor="back_office",
        ))
    return _save(session, claim)


def make_handoff(session: Session, **overrides: Any) -> Handoff:
    n = next(_sequence)
    values: dict[str, Any] = dict(
        chat_id=5_000_000 + n, telegram_user_id=5_000_000 + n, reason=HandoffReason.user_request,
        status=HandoffStatus.queued, requested_at=utcnow(),
    )
    return _save(session, Handoff(**{**values, **overrides}))


def make_document(
    session: Session, *, claim: Claim, item: ChecklistItem | str = ChecklistItem.damage_closeup, **overrides: Any
) -> ClaimDocument:
    """A received document of `claim` for checklist `item` (a unique fake sha256 unless given)."""
    n = next(_sequence)
    values: dict[str, Any] = dict(
        claim_id=claim.id, checklist_item=ChecklistItem(item), file_path=f"var/uploads/test/{n}.jpg",
        sha256=f"{n:064x}", mime_type="image/jpeg", size_bytes=123_456, received_at=utcnow(),
    )
    document = _save(session, ClaimDocument(**{**values, **overrides}))
    session.refresh(claim, ["documents"])
    return document


def make_delivery(session: Session, **overrides: Any) -> Delivery:
    """A pending outbox message (a broadcast unless `kind` is given)."""
    n = next(_sequence)
    values: dict[str, Any] = dict(
        kind=DeliveryKind.broadcast, dedupe_key=f"test:{n}", chat_id=6_000_000 + n, payload={"n": n},
        status=DeliveryStatus.pending, attempts=0, created_at=utcnow(),
    )
    return _save(session, Delivery(**{**values, **overrides}))


def make_roadside_request(session: Session, *, vehicle: Vehicle, **overrides: Any) -> RoadsideRequest:
    """A confirmed roadside request for `vehicle`'s policyholder (not yet dispatched unless overridden)."""
    n = next(_sequence)
    now = overrides.pop("created_at", utcnow())
    values: dict[str, Any] = dict(
        reference=f"RSA-2026-{800_000 + n:06d}", policyholder_id=vehicle.policy.policyholder_id,
        policy_id=vehicle.policy_id, vehicle_id=vehicle.id, chat_id=5_000_000 + n, language=Language.en,
        service_type=ServiceType.tow, latitude=31.2304, longitude=121.4737, status=RoadsideStatus.requested,
        next_dispatch_at=now, created_at=now, updated_at=now,
    )
    return _save(session, RoadsideRequest(**{**values, **overrides}))


# --- file contents for upload tests (built in memory; each call gives different bytes unless `colour` is set) ---

def _picture(width: int, height: int, colour: tuple[int, int, int] | None) -> Any:
    """A plain picture; without `colour`, a fresh one whose top row of 16-pixel squares spells a new number
    in black and white (contrast no compression blurs away, so no two calls give the same file)."""
    from PIL import Image, ImageDraw

    if colour is not None:
        return Image.new("RGB", (width, height), colour)
    n = next(_sequence)
    image = Image.new("RGB", (width, height), (n * 37 % 256, n * 91 % 256, n * 53 % 256))
    draw = ImageDraw.Draw(image)
    for bit in range(min(32, width // 16)):
        draw.rectangle((bit * 16, 0, bit * 16 + 15, 15), fill="white" if n >> bit & 1 else "black")
    return image


def _encoded(image: Any, image_format: str, **options: Any) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, image_format, **options)
    return buffer.getvalue()


def jpeg_bytes(width: int = 640, height: int = 480, *, colour: tuple[int, int, int] | None = None,
               exif: Any = None) -> bytes:
    """A real JPEG photo (optionally with a PIL.Image.Exif)."""
    options = {"exif": exif} if exif is not None else {}
    return _encoded(_picture(width, height, colour), "JPEG", quality=85, **options)


def png_bytes(width: int = 640, height: int = 480, *, colour: tuple[int, int, int] | None = None) -> bytes:
    return _encoded(_picture(width, height, colour), "PNG")


def webp_bytes(width: int = 640, height: int = 480, *, colour: tuple[int, int, int] | None = None) -> bytes:
    return _encoded(_picture(width, height, colour), "WEBP")


def pdf_bytes(text: str = "Police report 2026-1120") -> bytes:
    """A small, complete one-page PDF (with a correct cross-reference table and %%EOF)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def heic_bytes() -> bytes:
    """The start of a HEIC file (ftyp box, brand heic): enough for its magic bytes."""
    box = b"ftyp" + b"heic" + (0).to_bytes(4, "big") + b"mif1heic"  # type, major brand, version, brands
    return (4 + len(box)).to_bytes(4, "big") + box + b"\x00" * 64


def jpeg_with_gps_bytes(width: int = 640, height: int = 480, *, latitude: tuple[int, int, int] = (31, 13, 408),
                        longitude: tuple[int, int, int] = (121, 28, 12)) -> bytes:
    """A JPEG as a phone takes it: make, model, capture time and a GPS position (seconds in tenths)."""
    from PIL import Image
    from PIL.TiffImagePlugin import IFDRational

    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"  # Make
    exif[0x0110] = "P60 Pro\x00"  # Model, NUL-padded as some phones write it
    exif[0x0132] = "2026:11:19 08:15:00"  # DateTime
    exif.get_ifd(0x8769)[0x9003] = "2026:11:19 08:14:59"  # DateTimeOriginal
    gps = exif.get_ifd(0x8825)
    gps[0x00] = b"\x02\x02\x00\x00"  # GPSVersionID
    gps[0x01] = "N"
    gps[0x02] = (IFDRational(latitude[0]), IFDRational(latitude[1]), IFDRational(latitude[2], 10))
    gps[0x03] = "E"
    gps[0x04] = (IFDRational(longitude[0]), IFDRational(longitude[1]), IFDRational(longitude[2], 10))
    gps[0x1D] = "2026:11:19"  # GPSDateStamp
    return jpeg_bytes(width, height, exif=exif)


def make_campaign(session: Session, **overrides: Any) -> Any:
    """A broadcast campaign, scheduled for now, to every linked customer with an active policy (override any
    column: status, send_at, started_at, button_*...)."""
    n = next(_sequence)
    now = overrides.pop("created_at", utcnow())
    values: dict[str, Any] = dict(
        name=f"Test campaign {n}", kind=CampaignKind.message, audience={"policy_status": "active"},
        text_en=f"Test notice {n}", text_zh=f"测试通知 {n}", status=CampaignStatus.scheduled, send_at=now,
        created_at=now,
    )
    return _save(session, Campaign(**{**values, **overrides}))
