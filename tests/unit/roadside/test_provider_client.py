"""The roadside provider client: against the simulator, and its error mapping on made-up answers."""
from __future__ import annotations

import asyncio
import json
import logging
import time
from datetime import timezone
from decimal import Decimal

import httpx
import pytest
import pytest_asyncio

from claims.roadside.provider_client import (
    CancelTooLate,
    JobOrder,
    ProviderDeclined,
    ProviderError,
    ProviderJob,
    ProviderRejected,
    ProviderUnavailable,
    RoadsideProviderClient,
)
from roadside_simulator import RoadsideSimulator, SimConfig

FAST = SimConfig(speed_kmh=40, time_scale=1200, tick_seconds=0.02, booking_seconds=0.05, service_seconds=60)
API_KEY = "sk-live-4f9d2c7a1b"
PLATE = "沪B7X302"
ORDER = JobOrder(reference="RSA-2026-000123", service="tow", latitude=31.2304, longitude=121.4737, address=None,
                 plate=PLATE, make="Volkswagen", model="Lavida", notes=None)
JOB = {
    "job_id": "J-000007", "reference": "RSA-2026-000123", "service": "tow", "status": "en_route",
    "location": {"latitude": 31.2304, "longitude": 121.4737, "address": None},
    "driver": {"name": "王建国", "phone": "+8613816520347"},
    "truck": {"plate": "沪AD1234", "latitude": 31.25, "longitude": 121.47},
    "eta_minutes": 5, "distance_km": 3.1, "cancel_reason": None,
    "created_at": "2026-11-20T02:30:00.000+00:00", "updated_at": "2026-11-20T02:31:00.000Z", "history": [],
}


async def wait_for_status(client: RoadsideProviderClient, job_id: str, *statuses: str) -> ProviderJob:
    deadline = time.monotonic() + 5
    while (job := await client.get_job(job_id)).status not in statuses:
        assert time.monotonic() < deadline, f"{job_id} still {job.status}, waiting for {statuses}"
        await asyncio.sleep(0.005)
    return job


@pytest_asyncio.fixture
async def simulator():
    sim = RoadsideSimulator(FAST, api_key=API_KEY)
    await sim.start()
    yield sim
    await sim.stop()


@pytest_asyncio.fixture
async def client(simulator):
    async with RoadsideProviderClient(simulator.base_url, api_key=API_KEY, timeout=2) as client:
        yield client


async def control(simulator: RoadsideSimulator, path: str, body: dict) -> dict:
    async with httpx.AsyncClient(base_url=simulator.base_url) as http:
        return (await http.post(path, json=body)).json()


def mocked(handler, **kwargs) -> RoadsideProviderClient:
    return RoadsideProviderClient("https://roadside.example.com/", api_key=API_KEY,
                                  transport=httpx.MockTransport(handler), **kwargs)


# --- against the simulator ------------------------------------------------------------------

async def test_create_follow_and_cancel_a_job(simulator, client, caplog):
    caplog.set_level(logging.DEBUG)
    created = await client.create_job(ORDER)
    assert (created.job_id, created.reference, created.status) == ("J-000001", ORDER.reference, "requested")
    assert (created.latitude, created.longitude, created.driver_name, created.distance_km) == (31.2304, 121.4737,
                                                                                              None, None)
    assert created.updated_at.tzinfo is not None

    booked = await wait_for_status(client, created.job_id, "en_route")
    assert booked.driver_name and booked.driver_phone.startswith("+861") and booked.truck_plate.startswith("沪AD")
    assert isinstance(booked.distance_km, Decimal) and booked.distance_km == Decimal(str(float(booked.distance_km)))
    assert booked.eta_minutes >= 1 and booked.truck_latitude is not None

    await control(simulator, "/sim/hold", {"hold": True})
    cancelled = await client.cancel_job(created.job_id)
    assert cancelled.status == "cancelled" and cancelled.eta_minutes is None
    with pytest.raises(CancelTooLate) as too_late:
        await client.cancel_job(created.job_id)
    assert too_late.value.status == "cancelled" and not too_late.value.retryable

    assert API_KEY not in caplog.text and PLATE not in caplog.text
    assert "J-000001" in caplog.text  # it does log, just not the secrets


async def test_ordering_twice_books_one_truck(simulator, client):
    first, again = await client.create_job(ORDER), await client.create_job(ORDER)
    assert first.job_id == again.job_id and len(simulator.jobs) == 1


async def test_an_address_comes_back_placed_on_the_map(client):
    job = await client.create_job(JobOrder(reference="RSA-2026-000200", service="jump_start", latitude=None,
                                           longitude=None, address="上海市徐汇区漕溪北路88号", plate=PLATE,
                                           make=None, model=None, notes="underground car park, level B2"))
    assert job.latitude is not None and job.longitude is not None


async def test_the_simulators_refusals_map_to_the_clients_errors(simulator, client):
    await control(simulator, "/sim/behaviour", {"mode": "refuse"})
    with pytest.raises(ProviderDeclined) as declined:
        await client.create_job(ORDER)
    assert declined.value.reason == "no_trucks_available" and not declined.value.retryable

    await control(simulator, "/sim/behaviour", {"mode": "fail"})
    with pytest.raises(ProviderUnavailable) as unavailable:
        await client.create_job(ORDER)
    assert unavailable.value.status_code == 503 and unavailable.value.retryable

    with pytest.raises(ProviderRejected) as invalid:
        await client.create_job(JobOrder(**{**ORDER.__dict__, "service": "teleport"}))
    assert invalid.value.status_code == 422 and "service must be one of" in str(invalid.value)

    with pytest.raises(ProviderRejected) as missing:
        await client.get_job("J-999999")
    assert missing.value.status_code == 404


async def test_a_slow_provider_times_out_and_the_retry_finds_the_same_job(simulator):
    await control(simulator, "/sim/behaviour", {"mode": "slow", "delay_seconds": 0.5})
    async with RoadsideProviderClient(simulator.base_url, api_key=API_KEY, timeout=0.1) as impatient:
        with pytest.raises(ProviderUnavailable, match="timed out"):
            await impatient.create_job(ORDER)
        retried = await impatient.create_job(ORDER)
    assert retried.job_id == "J-000001" and len(simulator.jobs) == 1


async def test_a_wrong_key_is_rejected_without_showing_it(simulator):
    async with RoadsideProviderClient(simulator.base_url, api_key="sk-wrong-key") as wrong:
        with pytest.raises(ProviderRejected) as rejected:
            await wrong.create_job(ORDER)
    assert rejected.value.status_code == 401 and "sk-wrong-key" not in str(rejected.value)


# --- error mapping on made-up answers -------------------------------------------------------

async def test_the_request_carries_the_key_the_idempotency_key_and_the_order():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={**JOB, "status": "requested"})

    async with mocked(handler) as client:
        job = await client.create_job(ORDER)
    request = seen[0]
    assert (request.method, request.url.path) == ("POST", "/v1/jobs")
    assert request.headers["Authorization"] == f"Bearer {API_KEY}"
    assert request.headers["Idempotency-Key"] == ORDER.reference
    assert json.loads(request.content) == {
        "reference": ORDER.reference, "service": "tow",
        "location": {"latitude": 31.2304, "longitude": 121.4737, "address": None},
        "vehicle": {"plate": PLATE, "make": "Volkswagen", "model": "Lavida"}, "notes": None, "callback_url": None,
    }
    assert job.status == "requested"


@pytest.mark.parametrize("failure", [
    httpx.ReadTimeout("read timed out"), httpx.ConnectTimeout("connect timed out"),
    httpx.ConnectError("[Errno 111] Connection refused"), httpx.RemoteProtocolError("peer closed connection"),
])
async def test_transport_failures_are_unavailable(failure):
    def handler(request: httpx.Request) -> httpx.Response:
        raise failure

    async with mocked(handler) as client:
        with pytest.raises(ProviderUnavailable) as caught:
            await client.get_job("J-000007")
    assert caught.value.retryable and caught.value.status_code is None


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429])
async def test_server_errors_and_throttling_are_unavailable(status):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": "unavailable"}, headers={"Retry-After": "7"})

    async with mocked(handler) as client:
        with pytest.raises(ProviderUnavailable) as caught:
            await client.create_job(ORDER)
    assert (caught.value.status_code, caught.value.retry_after) == (status, 7.0)


async def test_declined_and_too_late_conflicts():
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/cancel"):
            return httpx.Response(409, json={"error": "too_late", "status": "arrived"})
        return httpx.Response(409, json={"error": "declined", "reason": "outside_service_area"})

    async with mocked(handler) as client:
        with pytest.raises(ProviderDeclined) as declined:
            await client.create_job(ORDER)
        with pytest.raises(CancelTooLate) as too_late:
            await client.cancel_job("J-000007")
    assert declined.value.reason == "outside_service_area"
    assert too_late.value.status == "arrived"


async def test_a_rejection_echoing_the_key_and_plate_shows_neither(caplog):
    caplog.set_level(logging.DEBUG)

    def handler(request: httpx.Request) -> httpx.Response:
        message = f"plate {PLATE} not insured for key {request.headers['Authorization']}"
        return httpx.Response(422, json={"error": "invalid_request", "message": message})

    async with mocked(handler) as client:
        with pytest.raises(ProviderRejected) as rejected:
            await client.create_job(ORDER)
    text = str(rejected.value)
    assert rejected.value.status_code == 422 and "invalid_request" in text and "not insured" in text
    assert API_KEY not in text and PLATE not in text
    assert API_KEY not in caplog.text and PLATE not in caplog.text
    assert PLATE not in repr(ORDER)


@pytest.mark.parametrize("body", [
    b"<html>gateway</html>", b'{"job_id": "J-1"}', json.dumps({**JOB, "status": "lost"}).encode(),
])
async def test_a_garbled_answer_is_unavailable(body):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    async with mocked(handler) as client:
        with pytest.raises(ProviderUnavailable):
            await client.get_job("J-000007")


def test_provider_job_reads_decimals_and_aware_times():
    job = ProviderJob.from_json(JOB)
    assert job.distance_km == Decimal("3.1") and str(job.distance_km) == "3.1"
    assert job.updated_at.tzinfo is not None and job.updated_at.utcoffset() == timezone.utc.utcoffset(None)
    assert (job.driver_name, job.truck_plate, job.truck_latitude, job.eta_minutes) == ("王建国", "沪AD1234", 31.25, 5)
    bare = ProviderJob.from_json({**JOB, "driver": None, "truck": None, "eta_minutes": None, "distance_km": None,
                                  "updated_at": "2026-11-20T02:31:00"})
    assert (bare.driver_name, bare.truck_latitude, bare.distance_km) == (None, None, None)
    assert bare.updated_at.tzinfo is timezone.utc


def test_every_error_is_a_provider_error():
    assert all(issubclass(cls, ProviderError)
               for cls in (ProviderUnavailable, ProviderDeclined, ProviderRejected, CancelTooLate))
