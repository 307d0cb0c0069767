"""The simulator's HTTP server: the provider's /v1/ jobs API, job lifecycles, callbacks and /sim/ control."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import math
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime, timezone
from functools import partial
from typing import Any

import aiohttp
from aiohttp import web

from devstack.loopback import LoopbackServer
from roadside_simulator.fleet import Fleet, Point, Route, Truck, geocode

log = logging.getLogger(__name__)

SERVICES = ("tow", "jump_start", "tyre_change", "fuel", "lockout", "winch")
FINAL = ("completed", "cancelled", "gone_on_arrival")
TOO_LATE_TO_CANCEL = ("arrived", *FINAL)
FORCEABLE = FINAL
BEHAVIOURS = ("normal", "fail", "refuse", "slow")
APPROACH_KM = 1.0
CALLBACK_TIMEOUT = 10.0
_dumps = partial(json.dumps, ensure_ascii=False)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class SimConfig:
    """How fast the simulated world runs; jobs take a copy when they are created."""

    speed_kmh: float = 40.0
    time_scale: float = 1.0  # simulated seconds per real second
    tick_seconds: float = 1.0  # real seconds between two steps of a job
    booking_seconds: float = 2.0  # real seconds from request to booked
    service_seconds: float = 60.0  # simulated seconds from arrived to completed

    def __post_init__(self) -> None:
        for name in ("speed_kmh", "time_scale", "tick_seconds"):
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive")
        for name in ("booking_seconds", "service_seconds"):
            if not getattr(self, name) >= 0:
                raise ValueError(f"{name} must not be negative")

    def updated(self, changes: dict[str, Any]) -> SimConfig:
        """A copy with some values changed; unknown names and non-numbers are refused."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown config {sorted(unknown)}; known: {sorted(known)}")
        values = {}
        for name, value in changes.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a number")
            values[name] = float(value)
        return replace(self, **values)


@dataclass(frozen=True)
class Behaviour:
    """How the next POST /v1/jobs calls misbehave: mode for `times` more calls, then normal."""

    mode: str = "normal"
    times: int = 0
    delay_seconds: float = 0.0


class InvalidRequest(Exception):
    """A job request the provider refuses with 422; the message says why."""


class ControlError(Exception):
    """A control request the simulator refuses; the message says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Job:
    """One rescue: the customer's request, its truck and where the truck is."""

    number: int
    reference: str
    service: str
    customer: Point
    address: str | None
    vehicle: dict[str, Any]  # kept like a real provider would, but never logged or echoed
    notes: str | None
    callback_url: str | None
    config: SimConfig
    status: str = "requested"
    truck: Truck | None = None
    truck_at: Point | None = None  # the job's own copy: a freed truck may serve a later job
    route: Route | None = None
    eta_minutes: int | None = None
    distance_km: float | None = None
    cancel_reason: str | None = None
    created_at: str = field(default_factory=_now)
    updated_at: str = ""
    history: list[dict[str, str]] = field(default_factory=list)
    held: bool = False
    elapsed: float = 0.0  # in the current phase: real seconds while requested, simulated while arrived
    task: asyncio.Task | None = field(default=None, repr=False)
    callbacks: asyncio.Task | None = field(default=None, repr=False)  # the last delivery, to keep order
    prefix: str = "J"  # the simulator instance's, so that ids stay unique across restarts

    def __post_init__(self) -> None:
        self.updated_at = self.created_at
        self.history.append({"status": self.status, "at": self.created_at})

    @property
    def job_id(self) -> str:
        return f"{self.prefix}-{self.number:06d}"

    @property
    def final(self) -> bool:
        return self.status in FINAL

    def to_json(self) -> dict[str, Any]:
        """The provider's Job object."""
        truck = self.truck
        return {
            "job_id": self.job_id,
            "reference": self.reference,
            "service": self.service,
            "status": self.status,
            "location": {"latitude": round(self.customer[0], 6), "longitude": round(self.customer[1], 6),
                         "address": self.address},
            "driver": {"name": truck.driver_name, "phone": truck.driver_phone} if truck else None,
            "truck": {"plate": truck.plate, "latitude": round(self.truck_at[0], 6),
                      "longitude": round(self.truck_at[1], 6)} if truck and self.truck_at else None,
            "eta_minutes": self.eta_minutes,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
            "cancel_reason": self.cancel_reason,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "history": [dict(entry) for entry in self.history],
        }


class RoadsideSimulator(LoopbackServer):
    """An in-memory roadside-assistance dispatch provider for tests and local chat."""

    def __init__(self, config: SimConfig | None = None, *, api_key: str | None = None,
                 fleet_size: int = 6, job_prefix: str = "J") -> None:
        super().__init__()
        self.job_prefix = job_prefix
        self.initial_config = config or SimConfig()
        self.config = self.initial_config
        self.api_key = api_key
        self.fleet = Fleet(fleet_size)
        self.behaviour = Behaviour()
        self.hold_all = False
        self.jobs: dict[str, Job] = {}
        self.by_key: dict[str, Job] = {}  # Idempotency-Key -> job
        self._next_number = 1  # kept across resets so job ids stay unique
        self.app = self._make_app()

    def _make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post("/v1/jobs", self._create_job)
        app.router.add_get("/v1/jobs/{job_id}", self._get_job)
        app.router.add_post("/v1/jobs/{job_id}/cancel", self._cancel_job)
        control = [
            ("GET", "/sim/health", self.health),
            ("GET", "/sim/jobs", self.list_jobs),
            ("POST", "/sim/behaviour", self.set_behaviour),
            ("POST", "/sim/config", self.set_config),
            ("POST", "/sim/hold", self.hold),
            ("POST", "/sim/jobs/{job_id}/status", self.force_status),
            ("POST", "/sim/reset", self.reset),
        ]
        for method, path, handler in control:
            app.router.add_route(method, path, _control_endpoint(handler))
        return app

    async def stop(self) -> None:
        """Stop serving, the jobs' clocks and pending callbacks."""
        self.closing = True
        tasks = [t for job in self.jobs.values() for t in (job.task, job.callbacks) if t and not t.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        await super().stop()

    # --- the provider API ---------------------------------------------------------------

    def _authorised(self, request: web.Request) -> bool:
        if self.api_key is None:
            return True
        given = request.headers.get("Authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {self.api_key}".encode())

    def _take_behaviour(self) -> Behaviour:
        """The behaviour for this POST /v1/jobs call; counts it down."""
        current = self.behaviour
        if current.mode != "normal" and current.times <= 1:
            self.behaviour = Behaviour()
        elif current.mode != "normal":
            self.behaviour = replace(current, times=current.times - 1)
        return current

    async def _create_job(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, "unauthorized")
        behaviour = self._take_behaviour()
        if behaviour.mode == "fail":
            return _error(503, "unavailable")
        if behaviour.mode == "refuse":
            return _error(409, "declined", reason="no_trucks_available")
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return _error(400, "missing_idempotency_key", message="the Idempotency-Key header is required")
        job, status = self.by_key.get(key), 200
        if job is None:
            try:
                job = self._new_job(_parse_order(await _json_body(request)))
            except InvalidRequest as exc:
                return _error(422, "invalid_request", message=str(exc))
            self.by_key[key] = job
            status = 201
        if behaviour.mode == "slow":
            # The job exists already: a client that gives up and retries with the same key gets it.
            await asyncio.sleep(behaviour.delay_seconds)
        return web.json_response(job.to_json(), status=status, dumps=_dumps)

    async def _get_job(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, "unauthorized")
        job = self.jobs.get(request.match_info["job_id"])
        if job is None:
            return _error(404, "not_found")
        return web.json_response(job.to_json(), dumps=_dumps)

    async def _cancel_job(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _error(401, "unauthorized")
        job = self.jobs.get(request.match_info["job_id"])
        if job is None:
            return _error(404, "not_found")
        try:
            body = await _json_body(request) if request.body_exists else {}
        except InvalidRequest as exc:
            return _error(422, "invalid_request", message=str(exc))
        reason = body.get("reason", "customer_cancelled")
        if not isinstance(reason, str) or not reason.strip():
            return _error(422, "invalid_request", message="reason must be a non-empty string")
        if job.status in TOO_LATE_TO_CANCEL:
            return _error(409, "too_late", status=job.status)
        job.cancel_reason = reason.strip()
        self._finish(job, "cancelled")
        return web.json_response(job.to_json(), dumps=_dumps)

    # --- job lifecycle ------------------------------------------------------------------

    def _new_job(self, order: dict[str, Any]) -> Job:
        job = Job(number=self._next_number, config=self.config, prefix=self.job_prefix, **order)
        self._next_number += 1
        self.jobs[job.job_id] = job
        log.info("job %s (%s, %s) requested", job.job_id, job.reference, job.service)
        job.task = asyncio.create_task(self._drive(job), name=f"roadside-{job.job_id}")
        job.task.add_done_callback(_report_crash)
        return job

    def _held(self, job: Job) -> bool:
        return self.hold_all or job.held

    async def _drive(self, job: Job) -> None:
        """Step the job every tick until it is over; held time does not count."""
        loop = asyncio.get_running_loop()
        last = loop.time()
        while not job.final:
            await asyncio.sleep(job.config.tick_seconds)
            now = loop.time()
            elapsed, last = now - last, now
            if not self._held(job):
                self._step(job, elapsed)

    def _step(self, job: Job, elapsed: float) -> None:
        """Advance the job by `elapsed` real seconds."""
        config = job.config
        if job.status == "requested":
            job.elapsed += elapsed
            if job.elapsed >= config.booking_seconds:
                self._book_due_jobs()  # with every truck busy it stays requested and tries again next tick
        elif job.status == "booked":
            self._set_status(job, "en_route")
        elif job.status in ("en_route", "approaching"):
            self._drive_truck(job, config.speed_kmh * elapsed * config.time_scale / 3600)
        elif job.status == "arrived":
            job.elapsed += elapsed * config.time_scale
            if job.elapsed >= config.service_seconds:
                self._finish(job, "completed")

    def _book_due_jobs(self) -> None:
        """Give free trucks to the jobs waiting for one, oldest first: a freed truck goes to the first in line."""
        for job in self.jobs.values():  # in creation order
            if job.status == "requested" and job.elapsed >= job.config.booking_seconds and not self._held(job):
                truck = self.fleet.dispatch(job.job_id, job.number, job.customer)
                if truck is None:
                    return
                self._book(job, truck)

    def _book(self, job: Job, truck: Truck) -> None:
        job.truck, job.truck_at = truck, truck.position
        job.route = Route.l_shaped(truck.position, job.customer)
        self._measure(job)
        self._set_status(job, "booked")

    def _drive_truck(self, job: Job, km: float) -> None:
        job.route.advance(km)
        job.truck_at = job.route.position
        job.truck.move_to(job.truck_at)
        self._measure(job)
        # On the distance as shown (one decimal), so that 1.0 km is never reported while still en_route.
        if job.status == "en_route" and round(job.distance_km, 1) <= APPROACH_KM:
            self._set_status(job, "approaching")
        if job.route.arrived:
            job.elapsed = 0.0
            self._set_status(job, "arrived")

    def _measure(self, job: Job) -> None:
        """Distance left on the road and the ETA at the job's current speed, in real minutes: what the customer
        waits (with time running 60x, a 7-minute drive is 7 real seconds, shown as 1 minute)."""
        remaining = 0.0 if job.route.arrived else job.route.remaining_km
        job.distance_km = remaining
        # Rounded before ceil so float noise (1.0000000002 min) does not add a minute.
        minutes = math.ceil(round(remaining / job.config.speed_kmh * 60 / job.config.time_scale, 6))
        job.eta_minutes = 0 if job.route.arrived else max(1, minutes)
        job.updated_at = _now()

    def _finish(self, job: Job, status: str) -> None:
        """End the job: its clock stops and its truck is free."""
        if job.task and job.task is not asyncio.current_task():
            job.task.cancel()
        self.fleet.release(job.truck)
        if status != "completed":
            job.eta_minutes = None  # nobody is coming any more
        self._set_status(job, status)

    def _set_status(self, job: Job, status: str) -> None:
        job.status = status
        job.updated_at = _now()
        job.history.append({"status": status, "at": job.updated_at})
        log.info("job %s %s", job.job_id, status)
        self._notify(job)

    def _notify(self, job: Job) -> None:
        """POST the job to its callback_url, after the previous callback of the job (fire and forget)."""
        # Only status changes are sent; `requested` is the answer to POST /v1/jobs itself.
        if not job.callback_url or self.closing:
            return
        payload = _dumps(job.to_json()).encode()
        job.callbacks = asyncio.create_task(self._deliver(job.job_id, job.callback_url, payload, job.callbacks))

    async def _deliver(self, job_id: str, url: str, payload: bytes, previous: asyncio.Task | None) -> None:
        if previous is not None:
            await asyncio.wait([previous])  # wait() rather than await: a failed one must not stop this one
        try:
            async with self.http.post(url, data=payload, headers={"Content-Type": "application/json"},
                                      timeout=aiohttp.ClientTimeout(total=CALLBACK_TIMEOUT)) as response:
                if response.status >= 300:
                    log.warning("callback for %s answered %s", job_id, response.status)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            # The URL is not logged: callback URLs often carry a secret.
            log.warning("callback for %s failed: %s", job_id, type(exc).__name__)

    # --- control API --------------------------------------------------------------------

    async def health(self, body: dict, match: dict) -> dict:
        """Readiness check."""
        return {"ok": True}

    async def list_jobs(self, body: dict, match: dict) -> list[dict]:
        """Every job, oldest first."""
        return [job.to_json() for job in self.jobs.values()]

    async def set_behaviour(self, body: dict, match: dict) -> dict:
        """Make the next `times` POST /v1/jobs calls fail, be refused or answer slowly."""
        mode = body.get("mode", "normal")
        if mode not in BEHAVIOURS:
            raise ControlError(f"mode must be one of {', '.join(BEHAVIOURS)}")
        times, delay = int(body.get("times", 1)), float(body.get("delay_seconds", 5.0 if mode == "slow" else 0))
        if times < 1 or delay < 0:
            raise ControlError("times must be at least 1 and delay_seconds not negative")
        self.behaviour = Behaviour() if mode == "normal" else Behaviour(mode, times, delay)
        return asdict(self.behaviour)

    async def set_config(self, body: dict, match: dict) -> dict:
        """Change the running values; moving jobs take the new speed and time scale at once."""
        self.apply_config(self.config.updated(body), changed=set(body))
        return asdict(self.config)

    def apply_config(self, config: SimConfig, changed: set[str]) -> None:
        self.config = config
        live = {name: getattr(config, name) for name in ("speed_kmh", "time_scale") if name in changed}
        if live:
            for job in self.jobs.values():
                if not job.final:
                    job.config = replace(job.config, **live)

    async def hold(self, body: dict, match: dict) -> dict:
        """Freeze one job (job_id) or all jobs, or let them go again."""
        hold = body.get("hold", True)
        if not isinstance(hold, bool):
            raise ControlError("hold must be true or false")
        if body.get("job_id"):
            self._job(body["job_id"]).held = hold
        else:
            self.hold_all = hold
            if not hold:  # releasing everything releases single holds too
                for job in self.jobs.values():
                    job.held = False
        return self._holds()

    async def force_status(self, body: dict, match: dict) -> dict:
        """End a job with a status the lifecycle does not reach by itself (gone_on_arrival) or early."""
        job = self._job(match["job_id"])
        status = body.get("status")
        if status not in FORCEABLE:
            raise ControlError(f"status must be one of {', '.join(FORCEABLE)}")
        if job.final:
            raise ControlError(f"job {job.job_id} is already {job.status}", 409)
        if status == "cancelled":
            job.cancel_reason = str(body.get("reason") or "provider_cancelled")
        self._finish(job, status)
        return job.to_json()

    async def reset(self, body: dict, match: dict) -> dict:
        """Normal behaviour, the command-line config, no holds; jobs stay so that ids stay unique."""
        self.behaviour = Behaviour()
        self.apply_config(self.initial_config, changed={f.name for f in fields(SimConfig)})
        self.hold_all = False
        for job in self.jobs.values():
            job.held = False
        return {"reset": True, "config": asdict(self.config)}

    def _job(self, job_id: str) -> Job:
        job = self.jobs.get(job_id)
        if job is None:
            raise ControlError(f"no job {job_id}", 404)
        return job

    def _holds(self) -> dict:
        return {"hold_all": self.hold_all, "held_jobs": [j.job_id for j in self.jobs.values() if j.held]}


def _report_crash(task: asyncio.Task) -> None:
    """A job whose clock died would silently stand still: say so."""
    if not task.cancelled() and task.exception() is not None:
        log.error("%s stopped", task.get_name(), exc_info=task.exception())


def _error(http_status: int, error: str, **extra: Any) -> web.Response:
    return web.json_response({"error": error, **extra}, status=http_status, dumps=_dumps)


async def _json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read() or b"null")
    except ValueError:
        raise InvalidRequest("the body is not JSON") from None
    if not isinstance(body, dict):
        raise InvalidRequest("the body must be a JSON object")
    return body


def _optional_text(container: dict, name: str, label: str) -> str | None:
    value = container.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidRequest(f"{label} must be a string or null")
    return value.strip() or None


def _coordinate(value: Any, label: str, limit: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidRequest(f"{label} must be a number")
    if not -limit <= value <= limit:
        raise InvalidRequest(f"{label} must be between {-limit:g} and {limit:g}")
    return float(value)


def _parse_order(body: dict[str, Any]) -> dict[str, Any]:
    """Check a job request and turn it into Job fields; raises InvalidRequest."""
    reference = _optional_text(body, "reference", "reference")
    if not reference:
        raise InvalidRequest("reference is required")
    service = body.get("service")
    if service not in SERVICES:
        raise InvalidRequest(f"service must be one of {', '.join(SERVICES)}")
    location, vehicle = body.get("location"), body.get("vehicle")
    if not isinstance(location, dict):
        raise InvalidRequest("location must be an object")
    if not isinstance(vehicle, dict) or not _optional_text(vehicle, "plate", "vehicle.plate"):
        raise InvalidRequest("vehicle.plate is required")
    address = _optional_text(location, "address", "location.address")
    latitude, longitude = location.get("latitude"), location.get("longitude")
    if (latitude is None) != (longitude is None):
        raise InvalidRequest("give both location.latitude and location.longitude, or neither")
    if latitude is not None:
        customer = (_coordinate(latitude, "location.latitude", 90), _coordinate(longitude, "location.longitude", 180))
    elif address:
        customer = geocode(address)
    else:
        raise InvalidRequest("location needs latitude and longitude or an address")
    callback_url = _optional_text(body, "callback_url", "callback_url")
    if callback_url and not callback_url.startswith(("http://", "https://")):
        raise InvalidRequest("callback_url must be an http(s) URL")
    return {
        "reference": reference,
        "service": service,
        "customer": customer,
        "address": address,
        "vehicle": {"plate": vehicle["plate"].strip(), "make": _optional_text(vehicle, "make", "vehicle.make"),
                    "model": _optional_text(vehicle, "model", "vehicle.model")},
        "notes": _optional_text(body, "notes", "notes"),
        "callback_url": callback_url,
    }


def _control_endpoint(handler: Callable[[dict, dict], Awaitable[Any]]):
    """Wrap a (body, match_info) -> result coroutine as a JSON aiohttp handler."""

    async def endpoint(request: web.Request) -> web.Response:
        try:
            body = await request.json() if request.body_exists else {}
            if not isinstance(body, dict):
                raise ControlError("the body must be a JSON object")
            result = await handler(body, dict(request.match_info))
        except ControlError as exc:
            return web.json_response({"error": str(exc)}, status=exc.status)
        except (KeyError, TypeError, ValueError) as exc:
            return web.json_response({"error": f"bad control request: {exc}"}, status=400)
        return web.json_response(result, dumps=_dumps)

    return endpoint
