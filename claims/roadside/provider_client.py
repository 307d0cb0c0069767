"""Client for the roadside provider's dispatch API (the real one, or roadside_simulator locally).

Create a job (the order's reference is the Idempotency-Key, so a retry after a timeout never books a second
truck), follow it, cancel it. Answers are mapped to a few exceptions the caller can act on: retry later
(ProviderUnavailable), hand to a person (ProviderDeclined, ProviderRejected), or accept (CancelTooLate).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from types import TracebackType
from typing import Any

import httpx

logger = logging.getLogger(__name__)

SERVICES = ("tow", "jump_start", "tyre_change", "fuel", "lockout", "winch")
JOB_STATUSES = ("requested", "booked", "en_route", "approaching", "arrived", "completed", "cancelled",
                "gone_on_arrival")


class ProviderError(Exception):
    """The provider did not do what was asked; status_code is its HTTP status when it answered."""

    retryable = False

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class ProviderUnavailable(ProviderError):
    """No usable answer (5xx, 429, timeout, connection error, garbled body): try again later."""

    retryable = True

    def __init__(self, message: str, *, status_code: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, status_code=status_code)
        self.retry_after = retry_after  # seconds, when a 429/503 said so


class ProviderDeclined(ProviderError):
    """The provider will not take the job (409 declined), e.g. no trucks available."""

    def __init__(self, message: str, *, reason: str | None, status_code: int | None = 409) -> None:
        super().__init__(message, status_code=status_code)
        self.reason = reason


class ProviderRejected(ProviderError):
    """The provider refused the request itself (4xx): retrying the same request will not help."""


class CancelTooLate(ProviderError):
    """The job can no longer be cancelled (the truck arrived, or the job is over); status is where it is."""

    def __init__(self, message: str, *, status: str | None, status_code: int | None = 409) -> None:
        super().__init__(message, status_code=status_code)
        self.status = status


@dataclass(frozen=True)
class JobOrder:
    """What we ask the provider for. The plate and notes are kept out of repr, so out of logs."""

    reference: str
    service: str
    latitude: float | None
    longitude: float | None
    address: str | None
    plate: str = field(repr=False)
    make: str | None
    model: str | None
    notes: str | None = field(repr=False)
    callback_url: str | None = None  # the provider POSTs the job there on every status change

    def to_json(self) -> dict[str, Any]:
        """The body of POST /v1/jobs."""
        return {
            "reference": self.reference,
            "service": self.service,
            "location": {"latitude": self.latitude, "longitude": self.longitude, "address": self.address},
            "vehicle": {"plate": self.plate, "make": self.make, "model": self.model},
            "notes": self.notes,
            "callback_url": self.callback_url,
        }


@dataclass(frozen=True)
class ProviderJob:
    """A job as the provider reports it; the customer's point is the provider's (geocoded from an address)."""

    job_id: str
    reference: str
    status: str
    latitude: float | None
    longitude: float | None
    driver_name: str | None
    driver_phone: str | None
    truck_plate: str | None
    truck_latitude: float | None
    truck_longitude: float | None
    eta_minutes: int | None
    distance_km: Decimal | None
    updated_at: datetime

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ProviderJob:
        """Read the provider's Job object; ValueError (or KeyError, TypeError) when it is not one."""
        status = data["status"]
        if status not in JOB_STATUSES:
            raise ValueError(f"unknown job status {status!r}")
        location = data.get("location") or {}
        driver = data.get("driver") or {}
        truck = data.get("truck") or {}
        return cls(
            job_id=str(data["job_id"]),
            reference=str(data["reference"]),
            status=status,
            latitude=_float(location.get("latitude")),
            longitude=_float(location.get("longitude")),
            driver_name=driver.get("name"),
            driver_phone=driver.get("phone"),
            truck_plate=truck.get("plate"),
            truck_latitude=_float(truck.get("latitude")),
            truck_longitude=_float(truck.get("longitude")),
            eta_minutes=None if data.get("eta_minutes") is None else int(data["eta_minutes"]),
            distance_km=_decimal(data.get("distance_km")),
            updated_at=_aware(data["updated_at"]),
        )


class RoadsideProviderClient:
    """Async client for one provider; use as `async with RoadsideProviderClient(url, api_key=...) as c:`."""

    def __init__(self, base_url: str, *, api_key: str | None = None, timeout: float = 10.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        headers = {"Accept": "application/json"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._secrets = [api_key] if api_key else []  # scrubbed from every error message
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout, headers=headers,
                                         transport=transport)

    async def create_job(self, order: JobOrder) -> ProviderJob:
        """Order a rescue; the same reference again returns the job already made, never a second one."""
        response = await self._request("POST", "/v1/jobs", json=order.to_json(),
                                       headers={"Idempotency-Key": order.reference}, hide=[order.plate])
        if response.status_code == 409 and _body(response).get("error") == "declined":
            reason = _body(response).get("reason")
            raise ProviderDeclined(f"provider declined job {order.reference}: {reason or 'no reason given'}",
                                   reason=reason)
        job = self._job(response, "POST /v1/jobs", hide=[order.plate])
        logger.info("roadside job %s for %s: %s", job.job_id, order.reference, job.status)
        return job

    async def get_job(self, job_id: str) -> ProviderJob:
        """The job as the provider sees it now."""
        response = await self._request("GET", f"/v1/jobs/{job_id}")
        return self._job(response, f"GET /v1/jobs/{job_id}")

    async def cancel_job(self, job_id: str, reason: str = "customer_cancelled") -> ProviderJob:
        """Cancel the job; CancelTooLate once the truck has arrived or the job is over."""
        response = await self._request("POST", f"/v1/jobs/{job_id}/cancel", json={"reason": reason})
        if response.status_code == 409 and _body(response).get("error") == "too_late":
            status = _body(response).get("status")
            raise CancelTooLate(f"job {job_id} can no longer be cancelled: it is {status}", status=status)
        job = self._job(response, f"POST /v1/jobs/{job_id}/cancel")
        logger.info("roadside job %s cancelled (%s)", job.job_id, reason)
        return job

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> RoadsideProviderClient:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    # --- answers to exceptions ------------------------------------------------------------

    async def _request(self, method: str, path: str, *, hide: list[str] | None = None,
                       **kwargs: Any) -> httpx.Response:
        """Send; transport failures and 5xx/429 become ProviderUnavailable, other 4xx (but 409) ProviderRejected."""
        what = f"{method} {path}"
        try:
            response = await self._client.request(method, path, **kwargs)
        except httpx.TimeoutException as exc:
            raise ProviderUnavailable(f"{what}: timed out ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(self._scrub(f"{what}: {type(exc).__name__}: {exc}", hide)) from exc
        status = response.status_code
        if status >= 500 or status == 429:
            raise ProviderUnavailable(self._scrub(f"{what}: {status} {_describe(response)}", hide),
                                      status_code=status, retry_after=_retry_after(response))
        if 400 <= status < 500 and status != 409:
            raise ProviderRejected(self._scrub(f"{what}: {status} {_describe(response)}", hide), status_code=status)
        return response

    def _job(self, response: httpx.Response, what: str, *, hide: list[str] | None = None) -> ProviderJob:
        if response.status_code == 409:  # a conflict the caller did not expect here
            raise ProviderRejected(self._scrub(f"{what}: 409 {_describe(response)}", hide), status_code=409)
        if not 200 <= response.status_code < 300:
            raise ProviderUnavailable(f"{what}: unexpected {response.status_code}", status_code=response.status_code)
        try:
            return ProviderJob.from_json(response.json())
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            # A garbled answer is treated like no answer: a retry with the same Idempotency-Key is safe.
            raise ProviderUnavailable(self._scrub(f"{what}: not a job ({type(exc).__name__}: {exc})", hide),
                                      status_code=response.status_code) from None

    def _scrub(self, text: str, hide: list[str] | None = None) -> str:
        for secret in [*self._secrets, *(hide or [])]:
            if secret:
                text = text.replace(secret, "***")
        return text


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _describe(response: httpx.Response) -> str:
    """The provider's error code and message, short."""
    body = _body(response)
    if body.get("error"):
        return " ".join(str(part) for part in (body["error"], body.get("message") or body.get("reason")) if part)
    return (response.reason_phrase or response.text[:200]).strip()


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers["Retry-After"]))
    except (KeyError, ValueError):
        return None  # absent, or an HTTP date: the caller's own back-off decides


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value))  # str() of the JSON number: 3.1 stays 3.1, not 3.100000000000000088...
    except InvalidOperation:
        raise ValueError(f"distance_km {value!r} is not a number") from None


def _aware(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))  # 3.10's fromisoformat does not read Z
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
