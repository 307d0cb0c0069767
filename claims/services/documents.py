"""Photos and documents sent for a claim: checked by their content, filed under the next checklist item,
stored on disk under their sha256, and the claim moved on once its checklist is complete.

The type of a file is judged from its bytes (magic numbers, then decoding), never from its name or the
mime type the sender declared. EXIF is kept with the document for fraud checks and never shown back.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any

import filetype
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from claims.checklist import missing_checklist_items, missing_from, required_checklist
from claims.clock import require_aware
from claims.enums import ChecklistItem
from claims.models import Claim, ClaimDocument, Policy
from claims.services.claims import StaleClaimStage, following_stage, move_claim_to_stage
from claims.services.identity import verified_policyholder
from claims.settings import ClaimsSettings
from claims.stages import TERMINAL_STAGES, ClaimStage


class UploadProblem(str, Enum):
    """Why a file was not accepted."""

    not_image_or_pdf = "not_image_or_pdf"  # judged by content, never by name or declared mime type
    too_large = "too_large"  # over settings.max_upload_bytes (or too many pixels to decode safely)
    empty = "empty"
    too_small = "too_small"  # an image whose shorter side is under settings.min_photo_side_pixels
    unreadable = "unreadable"  # looks like an image or a PDF but is corrupt or truncated
    duplicate = "duplicate"  # the claim already has a file with the same sha256


@dataclass(frozen=True)
class InspectedFile:
    """An acceptable file: its real type, size, digest and EXIF (JSON-safe; None when there is none)."""

    mime_type: str  # image/jpeg, image/png, image/webp, image/heic, application/pdf
    extension: str  # jpg, png, webp, heic, pdf
    size_bytes: int
    sha256: str
    exif: dict[str, Any] | None  # the GPS tags under "GPSInfo", with readable names


@dataclass(frozen=True)
class IncomingFile:
    """One file as received from the chat."""

    content: bytes
    telegram_file_id: str | None = None


@dataclass(frozen=True)
class ChecklistProgress:
    """Where a claim stands with its checklist."""

    required: list[ChecklistItem]
    received: list[ChecklistItem]  # required items received, in checklist order
    missing: list[ChecklistItem]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def next_item(self) -> ChecklistItem | None:
        """The item the next file will be filed under (None: the checklist is complete)."""
        return self.missing[0] if self.missing else None


@dataclass(frozen=True)
class Rejection:
    position: int  # 0-based index in the batch
    problem: UploadProblem


@dataclass(frozen=True)
class IntakeResult:
    accepted: list[ChecklistItem]  # the item each accepted file was filed under, in batch order
    rejected: list[Rejection]  # in batch order
    progress: ChecklistProgress  # after the batch
    moved_to: ClaimStage | None  # the stage the claim moved to because its checklist became complete


# --- inspecting one file ---------------------------------------------------------------------------------

_DECODED_IMAGES = {  # mime type (from the magic bytes) -> Pillow format, extension
    "image/jpeg": ("JPEG", "jpg"),
    "image/png": ("PNG", "png"),
    "image/webp": ("WEBP", "webp"),
}
_HEIC = ("image/heic", "heic")  # accepted on its magic bytes: Pillow cannot decode it here
_PDF = ("application/pdf", "pdf")
PDF_EOF_WINDOW = 2048  # a complete PDF has its %%EOF marker within its last 2 KB

_EXIF_IFD, _GPS_IFD, _INTEROP_IFD = 0x8769, 0x8825, 0xA005
_MAX_HEX_BYTES = 32  # short byte values (GPSVersionID...) are kept as hex; long ones (MakerNote) dropped
_SKIP = object()


def inspect_upload(content: bytes, *, settings: ClaimsSettings) -> InspectedFile | UploadProblem:
    """What the file really is, from its content; the problem when it cannot be accepted."""
    if not content:
        return UploadProblem.empty
    if len(content) > settings.max_upload_bytes:
        return UploadProblem.too_large
    if content.startswith(b"%PDF-"):
        if b"%%EOF" not in content[-PDF_EOF_WINDOW:]:
            return UploadProblem.unreadable  # truncated, or not a PDF after all
        return _inspected(content, *_PDF, exif=None)
    kind = filetype.guess(content)
    mime_type = kind.mime if kind is not None else None
    if mime_type == _HEIC[0]:
        return _inspected(content, *_HEIC, exif=None)
    if mime_type not in _DECODED_IMAGES:
        return UploadProblem.not_image_or_pdf
    image_format, extension = _DECODED_IMAGES[mime_type]
    try:
        size, exif = _decode_image(content, image_format)
    except Image.DecompressionBombError:
        return UploadProblem.too_large  # more pixels than Pillow decodes safely
    except Exception:  # Pillow reports corrupt data with many exception types (OSError, SyntaxError, ...)
        return UploadProblem.unreadable
    if min(size) < settings.min_photo_side_pixels:
        return UploadProblem.too_small
    return _inspected(content, mime_type, extension, exif=exif)


def _inspected(content: bytes, mime_type: str, extension: str, *, exif: dict[str, Any] | None) -> InspectedFile:
    return InspectedFile(mime_type=mime_type, extension=extension, size_bytes=len(content),
                         sha256=hashlib.sha256(content).hexdigest(), exif=exif)


def _decode_image(content: bytes, image_format: str) -> tuple[tuple[int, int], dict[str, Any] | None]:
    """The image's size and EXIF; raises when the data is corrupt or truncated."""
    with Image.open(io.BytesIO(content), formats=[image_format]) as image:
        image.verify()  # structure and checksums; the image cannot be used afterwards
    with Image.open(io.BytesIO(content), formats=[image_format]) as image:
        size = image.size
        if image_format == "JPEG":  # decode at 1/8 scale: every byte is still read, with far less memory
            image.draft(None, (max(1, size[0] // 8), max(1, size[1] // 8)))
        image.load()  # catches truncated pixel data
        return size, _exif_of(image)


def _exif_of(image: Image.Image) -> dict[str, Any] | None:
    """IFD0 and the Exif IFD by tag name, the GPS IFD under "GPSInfo"; None when there is none."""
    try:
        exif = image.getexif()
        result: dict[str, Any] = {}
        for tag, value in [*exif.items(), *exif.get_ifd(_EXIF_IFD).items()]:
            if tag not in (_EXIF_IFD, _GPS_IFD, _INTEROP_IFD):  # pointers to sub-IFDs, not data
                _put(result, ExifTags.TAGS.get(tag, str(tag)), value)
        gps: dict[str, Any] = {}
        for tag, value in exif.get_ifd(_GPS_IFD).items():
            _put(gps, ExifTags.GPSTAGS.get(tag, str(tag)), value)
    except Exception:  # a malformed EXIF block does not make the picture unreadable
        return None
    if gps:
        result["GPSInfo"] = gps
    return result or None


def _put(target: dict[str, Any], name: str, value: Any) -> None:
    safe = _json_safe(value)
    if safe is not _SKIP:
        target[name] = safe


def _json_safe(value: Any) -> Any:
    """`value` as JSON (rationals as floats, tuples as lists, short bytes as hex), or _SKIP."""
    if isinstance(value, IFDRational):
        value = float(value)  # nan when the denominator is 0
    if isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else _SKIP  # JSON has no NaN (PostgreSQL refuses it)
    if isinstance(value, str):
        text = value.replace("\x00", "").strip().encode("utf-8", "replace").decode("utf-8")
        return text or _SKIP
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).hex() if len(value) <= _MAX_HEX_BYTES else _SKIP
    if isinstance(value, (tuple, list)):
        items = [_json_safe(item) for item in value]
        return [None if item is _SKIP else item for item in items]  # keep positions (degrees, minutes...)
    if isinstance(value, dict):
        nested: dict[str, Any] = {}
        for key, item in value.items():
            _put(nested, str(key), item)
        return nested
    return _SKIP


# --- the checklist ----------------------------------------------------------------------------------------

def checklist_progress(claim: Claim) -> ChecklistProgress:
    """The claim's checklist, what of it was received and what is still missing (from claim.documents)."""
    required = required_checklist(claim)
    have = {document.checklist_item for document in claim.documents}
    return ChecklistProgress(
        required=required,
        received=[item for item in required if item in have],
        missing=[item for item in required if item not in have],
    )


# Paid claims are still open (until closed) but expect nothing more from the customer.
_NOT_TAKING_UPLOADS = TERMINAL_STAGES | {ClaimStage.paid}
_MOVES_WHEN_COMPLETE = frozenset({ClaimStage.reported, ClaimStage.awaiting_documents})


def claim_for_uploads(session: Session, *, policyholder_id: int) -> Claim | None:
    """The claim the policyholder's uploads go to: the most recently reported open claim that still misses
    checklist items; else their most recently reported open claim; None when they have no open claim."""
    claims = session.scalars(
        select(Claim)
        .join(Policy, Claim.policy_id == Policy.id)
        .where(Policy.policyholder_id == policyholder_id, Claim.stage.not_in(_NOT_TAKING_UPLOADS))
        .order_by(Claim.reported_at.desc(), Claim.id.desc())
        .options(selectinload(Claim.documents))
        .execution_options(populate_existing=True)
    ).all()
    for claim in claims:
        if missing_checklist_items(claim):
            return claim
    return claims[0] if claims else None


# --- receiving a batch ------------------------------------------------------------------------------------

_ATTEMPTS = 3  # a batch that loses a race on the (claim, sha256) constraint is redone, seeing the winner


@dataclass(frozen=True)
class _Stored:
    accepted: list[ChecklistItem]
    rejected: list[Rejection]
    became_complete: bool
    stage: ClaimStage  # the claim's stage, read under lock


def receive_claim_files(
    session: Session, *, claim: Claim, files: Sequence[IncomingFile], settings: ClaimsSettings, now: datetime,
) -> IntakeResult:
    """Check and store a batch of files (an album, or one file) for the claim, filing each accepted one
    under the next missing checklist item (then `other`), and commit once; when that completes the
    checklist of a claim in `reported` or `awaiting_documents`, move the claim on (a second commit)."""
    require_aware(now)
    inspections = [inspect_upload(incoming.content, settings=settings) for incoming in files]
    folder = _claim_folder(settings, claim)
    for attempt in range(_ATTEMPTS):
        try:
            stored = _store_batch(session, claim=claim, files=files, inspections=inspections, folder=folder,
                                  upload_dir=settings.upload_dir, now=now)
            break
        except IntegrityError:
            # Another process stored one of these files in the meantime: start again, and it is a duplicate.
            session.rollback()
            if attempt == _ATTEMPTS - 1:
                raise
        except BaseException:
            session.rollback()
            raise
    session.refresh(claim, attribute_names=["documents"])
    moved_to = None
    if stored.became_complete and stored.stage in _MOVES_WHEN_COMPLETE:
        target = following_stage(claim)  # reported: survey, or loss_assessment on the fast track
        if target is not None:
            try:
                move_claim_to_stage(session, claim=claim, to_stage=target, actor="system",
                                    note="documents complete", now=now)
                moved_to = target
            except StaleClaimStage:  # moved by someone else meanwhile; the files are stored all the same
                session.refresh(claim)
    return IntakeResult(accepted=stored.accepted, rejected=stored.rejected, progress=checklist_progress(claim),
                        moved_to=moved_to)


def _store_batch(
    session: Session, *, claim: Claim, files: Sequence[IncomingFile],
    inspections: Sequence[InspectedFile | UploadProblem], folder: Path, upload_dir: Path, now: datetime,
) -> _Stored:
    # One batch at a time per claim (FOR NO KEY UPDATE on PostgreSQL: inserting documents, which only
    # key-share the claim row, is not blocked), so that two albums cannot both fill the same item.
    session.refresh(claim, attribute_names=["stage"], with_for_update={"key_share": True})
    existing = session.execute(
        select(ClaimDocument.sha256, ClaimDocument.checklist_item).where(ClaimDocument.claim_id == claim.id)
    ).all()
    known = {sha256 for sha256, _ in existing}
    missing = missing_from(required_checklist(claim), (item for _, item in existing))
    was_complete = not missing
    accepted: list[ChecklistItem] = []
    rejected: list[Rejection] = []
    for position, (incoming, inspected) in enumerate(zip(files, inspections)):
        if isinstance(inspected, UploadProblem):
            rejected.append(Rejection(position=position, problem=inspected))
            continue
        if inspected.sha256 in known:
            rejected.append(Rejection(position=position, problem=UploadProblem.duplicate))
            continue
        known.add(inspected.sha256)
        item = missing.pop(0) if missing else ChecklistItem.other
        path = folder / f"{inspected.sha256}.{inspected.extension}"
        _write_atomically(path, incoming.content)  # before the row, so that a stored row has its file
        session.add(ClaimDocument(
            claim_id=claim.id, checklist_item=item, file_path=path.relative_to(upload_dir).as_posix(),
            sha256=inspected.sha256, mime_type=inspected.mime_type, size_bytes=inspected.size_bytes,
            telegram_file_id=incoming.telegram_file_id, exif=inspected.exif, received_at=now,
        ))
        accepted.append(item)
    stage = claim.stage
    session.commit()
    return _Stored(accepted=accepted, rejected=rejected, became_complete=not was_complete and not missing,
                   stage=stage)


def _claim_folder(settings: ClaimsSettings, claim: Claim) -> Path:
    name = claim.claim_number
    if not name or name in (".", "..") or Path(name).name != name or "\\" in name:
        raise ValueError(f"claim number {name!r} cannot name a folder")
    return settings.upload_dir / name


def _write_atomically(path: Path, content: bytes) -> None:
    """Write `content` to `path` through a temporary file in the same folder: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


# --- files from a customer --------------------------------------------------------------------------------

@dataclass(frozen=True)
class CustomerIntake:
    """Files from a chat: filed on the customer's open claim, or why they could not be."""

    outcome: str  # filed, needs_verification, no_open_claim
    result: IntakeResult | None = None
    claim_number: str | None = None
    fast_track: bool = False


def receive_customer_files(
    session: Session, *, telegram_user_id: int | None, files: Sequence[IncomingFile], settings: ClaimsSettings,
    now: datetime,
) -> CustomerIntake:
    """File what a verified customer sent on their open claim (claim_for_uploads decides which)."""
    policyholder = verified_policyholder(session, telegram_user_id)
    if policyholder is None:
        return CustomerIntake("needs_verification")
    claim = claim_for_uploads(session, policyholder_id=policyholder.id)
    if claim is None:
        return CustomerIntake("no_open_claim")
    result = receive_claim_files(session, claim=claim, files=files, settings=settings, now=now)
    return CustomerIntake("filed", result, claim.claim_number, claim.fast_track)
