"""The roadside provider simulator over HTTP: a rescue's life, misbehaviour on demand, holds, geocoding, auth."""
from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiohttp import web

from roadside_simulator import RoadsideSimulator, SimConfig
from roadside_simulator.fleet import SHANGHAI_CENTRE, geocode, haversine_km

pytestmark = pytest.mark.asyncio

# 40 km/h at 1200x: 13 km per real second, so a 4-11 km drive takes about half a second in ~30 ticks.
FAST = SimConfig(speed_kmh=40, time_scale=1200, tick_seconds=0.02, booking_seconds=0.05, service_seconds=60)
PEOPLES_SQUARE = (31.2304, 121.4737)
LIFECYCLE = ["requested", "booked", "en_route", "approaching", "arrived", "completed"]


def order(reference: str = "RSA-2026-000123", **changes: Any) -> dict[str, Any]:
    body = {
        "reference": reference, "service": "tow",
        "location": {"latitude": PEOPLES_SQUARE[0], "longitude": PEOPLES_SQUARE[1], "address": None},
        "vehicle": {"plate": "沪A12345", "make": "Volkswagen", "model": "Lavida"},
        "notes": None, "callback_url": None,
    }
    body.update(changes)
    return body


async def wait_for(check: Callable[[], Awaitable[Any]], what: str, timeout: float = 5.0) -> Any:
    """Poll check() until it returns something truthy; fail after timeout saying what did not happen."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.005)


@pytest_asyncio.fixture
async def simulator():
    sim = RoadsideSimulator(FAST)
    await sim.start()
    yield sim
    await sim.stop()


@pytest_asyncio.fixture
async def http(simulator):
    async with httpx.AsyncClient(base_url=simulator.base_url, timeout=5) as client:
        yield client


async def create(http: httpx.AsyncClient, body: dict | None = None, *, key: str | None = None) -> httpx.Response:
    body = body or order()
    return await http.post("/v1/jobs", json=body, headers={"Idempotency-Key": key or body["reference"]})


async def job_in(http: httpx.AsyncClient, job_id: str, *statuses: str, timeout: float = 5.0) -> dict:
    async def check():
        job = (await http.get(f"/v1/jobs/{job_id}")).json()
        return job if job["status"] in statuses else None
    return await wait_for(check, f"{job_id} to be {' or '.join(statuses)}", timeout)


@pytest_asyncio.fixture
async def callbacks():
    """A receiver for the provider's status callbacks: (url, list of bodies received)."""
    received: list[dict] = []

    async def receive(request: web.Request) -> web.Response:
        received.append(await request.json())
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/roadside/callback", receive)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[-1][1]}/roadside/callback", received
    await runner.cleanup()


# --- a rescue from request to completion ----------------------------------------------------

async def test_rescue_drives_to_the_customer_and_completes(simulator, http, callbacks):
    callback_url, received = callbacks
    created = await create(http, order(callback_url=callback_url))
    assert created.status_code == 201
    job = created.json()
    assert (job["job_id"], job["status"], job["driver"], job["truck"]) == ("J-000001", "requested", None, None)
    assert job["location"] == {"latitude": 31.2304, "longitude": 121.4737, "address": None}
    assert job["created_at"].endswith("+00:00") and job["history"] == [{"status": "requested", "at": job["created_at"]}]

    samples: list[dict] = []

    async def completed():
        samples.append((await http.get(f"/v1/jobs/{job['job_id']}")).json())
        return samples[-1]["status"] == "completed"

    await wait_for(completed, "the rescue to complete")
    final = samples[-1]
    assert [entry["status"] for entry in final["history"]] == LIFECYCLE

    booked = next(s for s in samples if s["status"] != "requested")
    start = (booked["truck"]["latitude"], booked["truck"]["longitude"])
    assert 3.99 <= haversine_km(start, PEOPLES_SQUARE) <= 8.01  # parked 4-8 km away
    assert re.fullmatch(r"沪AD\d{4}", booked["truck"]["plate"])
    assert re.fullmatch(r"\+861\d{10}", booked["driver"]["phone"]) and booked["driver"]["name"]

    moving = [s for s in samples if s["status"] in ("en_route", "approaching")]
    positions = [(s["truck"]["latitude"], s["truck"]["longitude"]) for s in moving]
    distinct = list(dict.fromkeys(positions))
    assert len(distinct) >= 3, f"only {len(distinct)} positions seen on the way"
    straight = [haversine_km(p, PEOPLES_SQUARE) for p in distinct]
    assert straight == sorted(straight, reverse=True) and len(set(straight)) == len(straight)
    on_road = [s["distance_km"] for s in moving]
    assert on_road == sorted(on_road, reverse=True)
    assert all(s["distance_km"] > 1.0 for s in moving if s["status"] == "en_route")
    assert all(s["distance_km"] <= 1.0 for s in moving if s["status"] == "approaching")
    assert all(s["eta_minutes"] >= 1 for s in moving)
    etas = [s["eta_minutes"] for s in moving]
    assert etas == sorted(etas, reverse=True)

    assert (final["eta_minutes"], final["distance_km"]) == (0, 0.0)
    assert (final["truck"]["latitude"], final["truck"]["longitude"]) == PEOPLES_SQUARE
    assert all(truck.job_id is None for truck in simulator.fleet.trucks)  # free again

    async def all_called_back():
        return [body["status"] for body in received] == LIFECYCLE[1:]
    await wait_for(all_called_back, f"callbacks for every status change, got {[b['status'] for b in received]}")
    assert received[-1]["history"] == final["history"]


async def test_eta_is_remaining_road_at_the_speed_in_simulated_minutes(simulator, http):
    await http.post("/sim/config", json={"time_scale": 1})  # barely moves: the booked numbers stay readable
    job = (await create(http)).json()
    booked = await job_in(http, job["job_id"], "booked", "en_route")
    minutes = booked["distance_km"] / 40 * 60
    assert minutes - 0.2 <= booked["eta_minutes"] <= minutes + 1.2  # rounded up; distance shown to 0.1 km


async def test_busy_fleet_books_a_waiting_job_when_a_truck_is_free(simulator, http):
    await http.post("/sim/config", json={"time_scale": 1})
    ids = [(await create(http, order(f"RSA-{n}"))).json()["job_id"] for n in range(7)]

    async def six_booked():
        jobs = [(await http.get(f"/v1/jobs/{job_id}")).json() for job_id in ids]
        return jobs if sum(job["status"] != "requested" for job in jobs) == 6 else None
    jobs = await wait_for(six_booked, "six of seven jobs to get a truck")
    booked = [job for job in jobs if job["status"] != "requested"]
    [waiting] = [job for job in jobs if job["status"] == "requested"]  # which one: whose clock ticked last
    assert len({job["truck"]["plate"] for job in booked}) == 6
    done = booked[2]
    assert (await http.post(f"/sim/jobs/{done['job_id']}/status", json={"status": "completed"})).status_code == 200
    served = await job_in(http, waiting["job_id"], "booked", "en_route")
    assert served["truck"]["plate"] == done["truck"]["plate"]


# --- the provider API's rules ---------------------------------------------------------------

async def test_repeated_post_with_the_same_key_returns_the_same_job(http):
    first, again = await create(http), await create(http)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["job_id"] == first.json()["job_id"]
    other = await create(http, order("RSA-2026-000124"))
    assert other.status_code == 201 and other.json()["job_id"] == "J-000002"
    assert len((await http.get("/sim/jobs")).json()) == 2


@pytest.mark.parametrize("body, message", [
    (order(service="teleport"), "service must be one of"),
    (order(location={"latitude": None, "longitude": None, "address": None}), "latitude and longitude or an address"),
    (order(location={"latitude": 91.0, "longitude": 121.0, "address": None}), "latitude must be between -90 and 90"),
    (order(location={"latitude": 31.0, "longitude": -180.5, "address": None}), "longitude must be between"),
    (order(location={"latitude": 31.0, "longitude": None, "address": "x"}), "both"),
    (order(location={"latitude": "31", "longitude": 121.0}), "latitude must be a number"),
    (order(vehicle={"plate": "", "make": None, "model": None}), "vehicle.plate is required"),
    (order(reference=""), "reference is required"),
])
async def test_invalid_requests_are_refused_with_422(http, body, message):
    response = await create(http, body, key="RSA-bad")
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_request" and message in response.json()["message"]
    assert (await http.get("/sim/jobs")).json() == []


async def test_idempotency_key_is_required_and_the_body_must_be_json(http):
    missing = await http.post("/v1/jobs", json=order())
    assert missing.status_code == 400 and missing.json()["error"] == "missing_idempotency_key"
    garbled = await http.post("/v1/jobs", content=b"{not json", headers={"Idempotency-Key": "RSA-1"})
    assert garbled.status_code == 422


async def test_unknown_job_is_404(http):
    assert (await http.get("/v1/jobs/J-999999")).json() == {"error": "not_found"}
    assert (await http.post("/v1/jobs/J-999999/cancel", json={})).status_code == 404


# --- misbehaviour on demand -----------------------------------------------------------------

async def test_fail_answers_503_the_given_number_of_times_then_works(http):
    await http.post("/sim/behaviour", json={"mode": "fail", "times": 2})
    for _ in range(2):
        failed = await create(http)
        assert (failed.status_code, failed.json()) == (503, {"error": "unavailable"})
    assert (await http.get("/sim/jobs")).json() == []
    assert (await create(http)).status_code == 201


async def test_refuse_declines_without_creating_a_job(http):
    behaviour = await http.post("/sim/behaviour", json={"mode": "refuse"})
    assert behaviour.json() == {"mode": "refuse", "times": 1, "delay_seconds": 0.0}
    refused = await create(http)
    assert (refused.status_code, refused.json()) == (409, {"error": "declined", "reason": "no_trucks_available"})
    assert (await http.get("/sim/jobs")).json() == []
    assert (await create(http)).status_code == 201


async def test_slow_answers_late_but_the_job_exists_for_a_retry(simulator, http):
    await http.post("/sim/behaviour", json={"mode": "slow", "delay_seconds": 0.4})
    with pytest.raises(httpx.ReadTimeout):
        await http.post("/v1/jobs", json=order(), headers={"Idempotency-Key": "RSA-2026-000123"}, timeout=0.1)
    retry = await create(http)  # the behaviour was used up: this one is answered at once
    assert retry.status_code == 200 and retry.json()["job_id"] == "J-000001"

    await http.post("/sim/behaviour", json={"mode": "slow", "delay_seconds": 0.3})
    started = time.monotonic()
    slow = await create(http, order("RSA-2026-000124"))
    assert slow.status_code == 201 and time.monotonic() - started >= 0.3


# --- cancelling -----------------------------------------------------------------------------

async def test_cancel_before_arrival_stops_and_frees_the_truck(simulator, http):
    job = (await create(http)).json()
    on_the_way = await job_in(http, job["job_id"], "en_route")
    await http.post("/sim/hold", json={"hold": True, "job_id": job["job_id"]})  # keep it short of approaching
    cancelled = await http.post(f"/v1/jobs/{job['job_id']}/cancel", json={"reason": "customer_cancelled"})
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert (body["status"], body["cancel_reason"], body["eta_minutes"]) == ("cancelled", "customer_cancelled", None)
    assert body["history"][-1]["status"] == "cancelled" and body["truck"]["plate"] == on_the_way["truck"]["plate"]
    assert all(truck.job_id is None for truck in simulator.fleet.trucks)

    await http.post("/sim/hold", json={"hold": False})
    await wait_for(lambda: _done(simulator.jobs[job["job_id"]].task), "the job's clock to stop")
    assert (await http.get(f"/v1/jobs/{job['job_id']}")).json()["status"] == "cancelled"
    again = await http.post(f"/v1/jobs/{job['job_id']}/cancel", json={"reason": "customer_cancelled"})
    assert (again.status_code, again.json()) == (409, {"error": "too_late", "status": "cancelled"})


async def test_cancel_is_too_late_once_the_truck_arrived(http):
    await http.post("/sim/config", json={"service_seconds": 36000})  # stays arrived for half a minute
    job = (await create(http)).json()
    await job_in(http, job["job_id"], "arrived")
    late = await http.post(f"/v1/jobs/{job['job_id']}/cancel", json={"reason": "customer_cancelled"})
    assert (late.status_code, late.json()) == (409, {"error": "too_late", "status": "arrived"})
    await http.post(f"/sim/jobs/{job['job_id']}/status", json={"status": "completed"})
    later = await http.post(f"/v1/jobs/{job['job_id']}/cancel", json={})
    assert later.json() == {"error": "too_late", "status": "completed"}


async def _done(task: asyncio.Task | None) -> bool:
    return task is None or task.done()


# --- control API ----------------------------------------------------------------------------

async def test_a_held_job_stands_still_while_others_drive(http):
    await http.post("/sim/config", json={"time_scale": 200})  # a few seconds of road: time to look
    held_id = (await create(http, order("RSA-1"))).json()["job_id"]
    free_id = (await create(http, order("RSA-2"))).json()["job_id"]
    await job_in(http, held_id, "en_route")
    holds = (await http.post("/sim/hold", json={"hold": True, "job_id": held_id})).json()
    assert holds == {"hold_all": False, "held_jobs": [held_id]}
    frozen = (await http.get(f"/v1/jobs/{held_id}")).json()

    seen: set[float] = set()

    async def free_job_moved_on():
        seen.add((await http.get(f"/v1/jobs/{free_id}")).json()["distance_km"])
        return len(seen) >= 4
    await wait_for(free_job_moved_on, "the other job to drive on")
    assert (await http.get(f"/v1/jobs/{held_id}")).json() == frozen

    await http.post("/sim/hold", json={"hold": False, "job_id": held_id})

    async def moves_again():
        return (await http.get(f"/v1/jobs/{held_id}")).json()["distance_km"] < frozen["distance_km"]
    await wait_for(moves_again, "the released job to move")


async def test_holding_all_keeps_new_jobs_requested(simulator, http):
    await http.post("/sim/hold", json={"hold": True})
    job = (await create(http)).json()
    await asyncio.sleep(FAST.booking_seconds * 6)  # a negative: give it several booking times to (not) happen
    assert (await http.get(f"/v1/jobs/{job['job_id']}")).json()["status"] == "requested"
    await http.post("/sim/hold", json={"hold": False})
    await job_in(http, job["job_id"], "booked", "en_route", "approaching", "arrived", "completed")


async def test_config_change_reaches_a_moving_job(http):
    await http.post("/sim/config", json={"time_scale": 1})  # at real speed the drive would take minutes
    job = (await create(http)).json()
    await job_in(http, job["job_id"], "en_route")
    config = (await http.post("/sim/config", json={"time_scale": 2400, "speed_kmh": 60})).json()
    assert (config["time_scale"], config["speed_kmh"], config["tick_seconds"]) == (2400, 60, FAST.tick_seconds)
    await job_in(http, job["job_id"], "arrived", "completed")
    bad = await http.post("/sim/config", json={"warp": 9})
    assert bad.status_code == 400 and "unknown config" in bad.json()["error"]
    assert (await http.post("/sim/config", json={"speed_kmh": 0})).status_code == 400


async def test_gone_on_arrival_is_forced_and_reset_restores_the_command_line(simulator, http):
    await http.post("/sim/config", json={"time_scale": 1})
    job = (await create(http)).json()
    await job_in(http, job["job_id"], "en_route")
    gone = await http.post(f"/sim/jobs/{job['job_id']}/status", json={"status": "gone_on_arrival"})
    assert gone.json()["status"] == "gone_on_arrival" and gone.json()["history"][-1]["status"] == "gone_on_arrival"
    assert (await http.post(f"/sim/jobs/{job['job_id']}/status", json={"status": "completed"})).status_code == 409
    assert (await http.post(f"/sim/jobs/{job['job_id']}/status", json={"status": "arrived"})).status_code == 400

    await http.post("/sim/behaviour", json={"mode": "fail", "times": 5})
    await http.post("/sim/hold", json={"hold": True})
    reset = await http.post("/sim/reset")
    assert reset.json()["config"]["time_scale"] == FAST.time_scale
    assert (simulator.behaviour.mode, simulator.hold_all) == ("normal", False)
    second = await create(http, order("RSA-2"))
    assert second.status_code == 201 and second.json()["job_id"] == "J-000002"  # numbering goes on
    assert (await http.get("/sim/health")).json() == {"ok": True}


# --- geocoding and auth ---------------------------------------------------------------------

async def test_an_address_alone_is_placed_in_shanghai_the_same_way_every_time(http):
    address = "上海市浦东新区世纪大道100号"
    first = await create(http, order("RSA-1", location={"latitude": None, "longitude": None, "address": address}))
    again = await create(http, order("RSA-2", location={"address": address}))
    located = first.json()["location"]
    assert located["address"] == address and located == again.json()["location"]
    point = (located["latitude"], located["longitude"])
    assert 3.0 <= haversine_km(point, SHANGHAI_CENTRE) <= 15.0
    await job_in(http, first.json()["job_id"], "arrived", "completed")  # the truck finds a geocoded point too

    points = {geocode(f"上海市黄浦区南京东路{n}号") for n in range(200)}
    assert len(points) == 200
    assert all(3.0 - 1e-9 <= haversine_km(p, SHANGHAI_CENTRE) <= 15.0 + 1e-9 for p in points)


async def test_api_key_is_checked_when_set():
    sim = RoadsideSimulator(FAST, api_key="sk-test-roadside")
    await sim.start()
    try:
        async with httpx.AsyncClient(base_url=sim.base_url) as http:
            assert (await create(http)).status_code == 401
            http.headers["Authorization"] = "Bearer wrong"
            assert (await create(http)).json() == {"error": "unauthorized"}
            http.headers["Authorization"] = "Bearer sk-test-roadside"
            created = await create(http)
            assert created.status_code == 201
            del http.headers["Authorization"]
            assert (await http.get(f"/v1/jobs/{created.json()['job_id']}")).status_code == 401
            assert (await http.get("/sim/health")).status_code == 200  # control needs no key
    finally:
        await sim.stop()


async def test_job_ids_carry_the_instance_prefix_so_a_restart_never_reuses_one():
    first, second = RoadsideSimulator(FAST, job_prefix="J1a"), RoadsideSimulator(FAST, job_prefix="J1b")
    ids = []
    for sim in (first, second):
        await sim.start()
        try:
            async with httpx.AsyncClient(base_url=sim.base_url, timeout=5) as client:
                ids.append((await create(client, order())).json()["job_id"])
        finally:
            await sim.stop()
    assert ids == ["J1a-000001", "J1b-000001"]
