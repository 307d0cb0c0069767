"""Photos and documents for a claim: checked by content, filed under the checklist, stored, and the claim
moved on once its checklist is complete."""
import hashlib
import io
import json
import random
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from claims.enums import ChecklistItem as I, ThirdParty
from claims.models import Claim, ClaimDocument, ClaimStageEvent
from claims.services.claims import move_claim_to_stage
from claims.services.documents import (
    IncomingFile, InspectedFile, Rejection, UploadProblem as P, checklist_progress, claim_for_uploads,
    inspect_upload, receive_claim_files,
)
from claims.stages import ClaimStage as S
from tests.factories import (
    heic_bytes, jpeg_bytes, jpeg_with_gps_bytes, make_claim, make_document, make_policy, make_policyholder,
    make_vehicle, pdf_bytes, png_bytes, webp_bytes,
)

FAST = [I.front_left, I.front_right, I.rear_left, I.rear_right, I.damage_closeup, I.vin_or_plate,
        I.driving_licence, I.bank_card]
STANDARD = [I.front_left, I.front_right, I.rear_left, I.rear_right, I.damage_closeup, I.vin_or_plate,
            I.driving_licence, I.vehicle_licence, I.id_card, I.bank_card]


@pytest.fixture
def upload_settings(settings, tmp_path):
    return settings.model_copy(update={"upload_dir": tmp_path / "uploads"})


def photos(count):
    return [IncomingFile(content=jpeg_bytes(), telegram_file_id=f"AgAC-{n}") for n in range(count)]


def receive(session, claim, files, settings, now):
    return receive_claim_files(session, claim=claim, files=files, settings=settings, now=now)


def stored_documents(session, claim):
    session.expire_all()
    return session.scalars(select(ClaimDocument).where(ClaimDocument.claim_id == claim.id)
                           .order_by(ClaimDocument.id)).all()


def zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", "not really a photo")
    return buffer.getvalue()


# --- inspecting one file ---

def test_a_real_jpeg_is_accepted_with_its_size_digest_and_type(upload_settings):
    content = jpeg_bytes(800, 600)
    inspected = inspect_upload(content, settings=upload_settings)
    assert inspected == InspectedFile(mime_type="image/jpeg", extension="jpg", size_bytes=len(content),
                                      sha256=hashlib.sha256(content).hexdigest(), exif=None)


@pytest.mark.parametrize("build,mime_type,extension", [
    (png_bytes, "image/png", "png"),
    (webp_bytes, "image/webp", "webp"),
    (pdf_bytes, "application/pdf", "pdf"),
    (heic_bytes, "image/heic", "heic"),  # on its magic bytes: not decodable here
])
def test_png_webp_pdf_and_heic_are_accepted(upload_settings, build, mime_type, extension):
    inspected = inspect_upload(build(), settings=upload_settings)
    assert (inspected.mime_type, inspected.extension) == (mime_type, extension)


def test_a_pdf_without_its_end_marker_is_unreadable(upload_settings):
    truncated = pdf_bytes().replace(b"%%EOF", b"")
    assert inspect_upload(truncated, settings=upload_settings) is P.unreadable
    # the marker must be near the end: a PDF cut after an early %%EOF (incremental update) is truncated too
    assert inspect_upload(pdf_bytes() + b"1 0 obj\n" + b" " * 4096, settings=upload_settings) is P.unreadable


@pytest.mark.parametrize("content", [
    b"This is a text file someone named photo.jpg\n",
    random.Random(7).randbytes(4096),
    zip_bytes(),
    b"MZ\x90\x00\x03\x00\x00\x00" + bytes(200),  # a Windows program renamed .jpg
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(40),  # an image, but not one we take
], ids=["text", "random", "zip", "exe", "gif"])
def test_anything_else_is_not_an_image_or_pdf_whatever_its_name(upload_settings, content):
    assert inspect_upload(content, settings=upload_settings) is P.not_image_or_pdf


@pytest.mark.parametrize("keep", [0.5, 0.95])
def test_a_truncated_jpeg_is_unreadable(upload_settings, keep):
    # (one that lacks only its end marker may decode completely: Pillow then takes it, and so do we)
    content = jpeg_bytes(1200, 900)
    assert inspect_upload(content[: int(len(content) * keep)], settings=upload_settings) is P.unreadable


def test_a_truncated_png_is_unreadable(upload_settings):
    content = png_bytes()
    assert inspect_upload(content[: len(content) // 2], settings=upload_settings) is P.unreadable


def test_size_limits_empty_and_too_large(upload_settings):
    content = jpeg_bytes()
    at_limit = upload_settings.model_copy(update={"max_upload_bytes": len(content)})
    below = upload_settings.model_copy(update={"max_upload_bytes": len(content) - 1})
    assert isinstance(inspect_upload(content, settings=at_limit), InspectedFile)
    assert inspect_upload(content, settings=below) is P.too_large
    assert inspect_upload(b"", settings=upload_settings) is P.empty


@pytest.mark.parametrize("width,height", [(100, 100), (1600, 300), (300, 1600)])
def test_an_image_with_a_short_side_under_the_minimum_is_too_small(upload_settings, width, height):
    assert inspect_upload(png_bytes(width, height), settings=upload_settings) is P.too_small


def test_the_minimum_side_is_a_setting(upload_settings):
    assert isinstance(inspect_upload(jpeg_bytes(320, 320), settings=upload_settings), InspectedFile)
    stricter = upload_settings.model_copy(update={"min_photo_side_pixels": 640})
    assert inspect_upload(jpeg_bytes(800, 600), settings=stricter) is P.too_small


def test_exif_and_gps_are_read_with_tag_names_and_json_safe(upload_settings):
    exif = inspect_upload(jpeg_with_gps_bytes(), settings=upload_settings).exif
    assert exif["Make"] == "HUAWEI"
    assert exif["Model"] == "P60 Pro"  # the NUL padding is gone
    assert exif["DateTimeOriginal"] == "2026:11:19 08:14:59"
    assert exif["GPSInfo"] == {
        "GPSVersionID": "02020000", "GPSLatitudeRef": "N", "GPSLatitude": [31.0, 13.0, 40.8],
        "GPSLongitudeRef": "E", "GPSLongitude": [121.0, 28.0, 1.2], "GPSDateStamp": "2026:11:19",
    }
    assert json.loads(json.dumps(exif, allow_nan=False)) == exif


# --- receiving files for a claim ---

def test_an_album_fills_the_next_items_in_checklist_order(session, upload_settings, now):
    claim = make_claim(session, fast_track=True, now=now)
    first = receive(session, claim, photos(4), upload_settings, now)
    assert first.accepted == FAST[:4] and first.rejected == [] and first.moved_to is None
    assert (len(first.progress.required), len(first.progress.received), len(first.progress.missing)) == (8, 4, 4)
    assert first.progress.next_item is I.damage_closeup and not first.progress.complete
    second = receive(session, claim, photos(2), upload_settings, now)
    assert second.accepted == [I.damage_closeup, I.vin_or_plate]
    assert second.progress.received == FAST[:6] and second.progress.missing == FAST[6:]
    assert [d.checklist_item for d in stored_documents(session, claim)] == FAST[:6]


def test_items_already_received_are_skipped(session, upload_settings, now):
    claim = make_claim(session, fast_track=True, now=now)
    make_document(session, claim=claim, item=I.front_right)
    result = receive(session, claim, photos(2), upload_settings, now)
    assert result.accepted == [I.front_left, I.rear_left]
    assert result.progress.received == [I.front_left, I.front_right, I.rear_left]


def test_the_stored_document_has_its_file_digest_and_exif(session, upload_settings, now):
    claim = make_claim(session, now=now)
    content = jpeg_with_gps_bytes()
    receive(session, claim, [IncomingFile(content=content, telegram_file_id="AgACAgUAAxkBAAIB")],
            upload_settings, now + timedelta(minutes=5))
    [document] = stored_documents(session, claim)
    sha256 = hashlib.sha256(content).hexdigest()
    assert (document.sha256, document.mime_type, document.size_bytes, document.telegram_file_id) == (
        sha256, "image/jpeg", len(content), "AgACAgUAAxkBAAIB")
    assert document.received_at == now + timedelta(minutes=5)
    assert document.file_path == f"{claim.claim_number}/{sha256}.jpg"
    assert document.exif["GPSInfo"]["GPSLatitude"] == [31.0, 13.0, 40.8]
    json.dumps(document.exif, allow_nan=False)
    path = upload_settings.upload_dir / document.file_path
    assert path.read_bytes() == content
    assert sorted(p.name for p in path.parent.iterdir()) == [f"{sha256}.jpg"]  # no temporary file left


def test_rejected_files_are_reported_by_position_and_not_stored(session, upload_settings, now):
    claim = make_claim(session, fast_track=True, now=now)
    files = [IncomingFile(content=b"hello"), IncomingFile(content=jpeg_bytes()), IncomingFile(content=b""),
             IncomingFile(content=jpeg_bytes(100, 80)), IncomingFile(content=pdf_bytes())]
    result = receive(session, claim, files, upload_settings, now)
    assert result.rejected == [Rejection(0, P.not_image_or_pdf), Rejection(2, P.empty), Rejection(3, P.too_small)]
    assert result.accepted == [I.front_left, I.front_right]
    assert len(stored_documents(session, claim)) == 2
    assert len(list((upload_settings.upload_dir / claim.claim_number).iterdir())) == 2


def test_duplicates_in_the_same_batch_and_across_batches_are_refused(session, upload_settings, now):
    claim = make_claim(session, fast_track=True, now=now)
    photo, other = jpeg_bytes(), jpeg_bytes()
    first = receive(session, claim, [IncomingFile(photo), IncomingFile(photo), IncomingFile(other)],
                    upload_settings, now)
    assert first.accepted == [I.front_left, I.front_right]
    assert first.rejected == [Rejection(1, P.duplicate)]
    second = receive(session, claim, [IncomingFile(other, "again"), IncomingFile(jpeg_bytes())],
                     upload_settings, now)
    assert second.rejected == [Rejection(0, P.duplicate)] and second.accepted == [I.rear_left]
    assert len(stored_documents(session, claim)) == 3


def test_the_same_photo_may_belong_to_two_claims(session, upload_settings, now):
    photo = jpeg_bytes()
    for claim in (make_claim(session, now=now), make_claim(session, now=now)):
        assert receive(session, claim, [IncomingFile(photo)], upload_settings, now).accepted == [I.front_left]


def test_a_file_stored_concurrently_becomes_a_duplicate_without_losing_the_others(
        session, engine, upload_settings, now):
    claim = make_claim(session, fast_track=True, now=now)
    first, raced = jpeg_bytes(), jpeg_bytes()
    sha256 = hashlib.sha256(raced).hexdigest()

    def another_process_stores_it(*_):  # between our check and our insert
        with engine.begin() as other:
            other.execute(ClaimDocument.__table__.insert().values(
                claim_id=claim.id, checklist_item=I.front_left.value, file_path=f"x/{sha256}.jpg", sha256=sha256,
                mime_type="image/jpeg", size_bytes=len(raced), received_at=now))

    errors = []

    def record_error(context):
        errors.append(context.original_exception)

    event.listen(session, "before_flush", another_process_stores_it, once=True)
    event.listen(engine, "handle_error", record_error)
    try:
        result = receive(session, claim, [IncomingFile(first), IncomingFile(raced)], upload_settings, now)
    finally:
        event.remove(engine, "handle_error", record_error)
    assert len(errors) == 1  # the race did happen: our first insert hit the unique constraint
    assert result.rejected == [Rejection(1, P.duplicate)]
    assert result.accepted == [I.front_right]  # front_left went to the other process's file
    assert {d.sha256 for d in stored_documents(session, claim)} == {sha256, hashlib.sha256(first).hexdigest()}


def test_extra_files_after_a_complete_checklist_are_filed_as_other(session, upload_settings, now):
    claim = make_claim(session, stage=S.survey, fast_track=True, now=now)
    result = receive(session, claim, photos(10), upload_settings, now)
    assert result.accepted == FAST + [I.other, I.other]
    assert result.progress.complete and result.progress.next_item is None
    assert receive(session, claim, photos(1), upload_settings, now).accepted == [I.other]


def test_a_naive_time_is_refused(session, upload_settings, now):
    claim = make_claim(session, now=now)
    with pytest.raises(ValueError):
        receive(session, claim, photos(1), upload_settings, now.replace(tzinfo=None))


# --- moving the claim on ---

def _events(session, claim):
    return session.scalars(select(ClaimStageEvent).where(ClaimStageEvent.claim_id == claim.id)
                           .order_by(ClaimStageEvent.id)).all()


def test_a_fast_track_claim_goes_to_loss_assessment_when_its_checklist_completes(session, upload_settings, now):
    claim = make_claim(session, fast_track=True, now=now)
    assert receive(session, claim, photos(7), upload_settings, now).moved_to is None
    result = receive(session, claim, photos(1), upload_settings, now)
    assert result.moved_to is S.loss_assessment and result.progress.complete
    session.expire_all()
    assert session.get(Claim, claim.id).stage is S.loss_assessment
    last = _events(session, claim)[-1]
    assert (last.from_stage, last.to_stage, last.actor, last.note, last.occurred_at) == (
        S.reported, S.loss_assessment, "system", "documents complete", now)


def test_a_standard_claim_goes_to_the_survey(session, upload_settings, now):
    claim = make_claim(session, now=now)
    result = receive(session, claim, photos(len(STANDARD) + 1), upload_settings, now)
    assert result.moved_to is S.survey and result.accepted == STANDARD + [I.other]
    assert claim.stage is S.survey


def test_a_claim_with_a_police_report_needs_it_before_moving(session, upload_settings, now):
    claim = make_claim(session, third_party=ThirdParty.other_vehicle, now=now)
    assert receive(session, claim, photos(10), upload_settings, now).moved_to is None
    result = receive(session, claim, [IncomingFile(pdf_bytes())], upload_settings, now)
    assert result.accepted == [I.bank_card] and result.moved_to is S.survey


def test_a_claim_awaiting_documents_resumes_where_it_was(session, upload_settings, now):
    claim = make_claim(session, stage=S.loss_assessment, fast_track=True, now=now - timedelta(days=1))
    move_claim_to_stage(session, claim=claim, to_stage=S.awaiting_documents, actor="back_office",
                        now=now - timedelta(hours=1))
    result = receive(session, claim, photos(len(FAST)), upload_settings, now)
    assert result.moved_to is S.loss_assessment
    assert _events(session, claim)[-1].from_stage is S.awaiting_documents


def test_a_claim_past_the_report_is_not_moved(session, upload_settings, now):
    claim = make_claim(session, stage=S.survey, now=now)
    result = receive(session, claim, photos(len(STANDARD)), upload_settings, now)
    assert result.progress.complete and result.moved_to is None
    assert claim.stage is S.survey and len(_events(session, claim)) == 2


def test_a_complete_claim_is_not_moved_again_by_more_files(session, upload_settings, now):
    claim = make_claim(session, fast_track=True, now=now)
    for item in FAST:
        make_document(session, claim=claim, item=item)
    result = receive(session, claim, photos(1), upload_settings, now)
    assert result.accepted == [I.other] and result.moved_to is None and claim.stage is S.reported


def test_checklist_progress_reads_the_claims_documents(session, now):
    claim = make_claim(session, fast_track=True, now=now)
    make_document(session, claim=claim, item=I.bank_card)
    make_document(session, claim=claim, item=I.other)
    progress = checklist_progress(claim)
    assert progress.required == FAST and progress.received == [I.bank_card]
    assert progress.missing == FAST[:-1] and progress.next_item is I.front_left


# --- which claim uploads go to ---

def test_claim_for_uploads_prefers_the_latest_open_claim_still_missing_documents(session, now):
    holder = make_policyholder(session)
    vehicle = make_vehicle(session, policy=make_policy(session, policyholder=holder))
    older = make_claim(session, vehicle=vehicle, reported_at=now - timedelta(days=9), now=now)
    newer = make_claim(session, vehicle=vehicle, fast_track=True, reported_at=now - timedelta(days=2), now=now)
    make_claim(session, vehicle=vehicle, stage=S.closed, reported_at=now - timedelta(days=1), now=now)
    make_claim(session, vehicle=vehicle, stage=S.paid, reported_at=now - timedelta(hours=20), now=now)
    make_claim(session, reported_at=now, now=now)  # someone else's
    assert claim_for_uploads(session, policyholder_id=holder.id).id == newer.id
    for item in FAST:
        make_document(session, claim=newer, item=item)
    assert claim_for_uploads(session, policyholder_id=holder.id).id == older.id
    for item in STANDARD:
        make_document(session, claim=older, item=item)
    assert claim_for_uploads(session, policyholder_id=holder.id).id == newer.id  # none missing: the latest


def test_claim_for_uploads_is_none_without_an_open_claim(session, now):
    holder = make_policyholder(session)
    assert claim_for_uploads(session, policyholder_id=holder.id) is None
    vehicle = make_vehicle(session, policy=make_policy(session, policyholder=holder))
    make_claim(session, vehicle=vehicle, stage=S.withdrawn, now=now)
    assert claim_for_uploads(session, policyholder_id=holder.id) is None
