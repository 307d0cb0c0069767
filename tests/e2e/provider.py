"""The roadside provider simulator's control API, as the end-to-end tests drive it."""
from __future__ import annotations

import asyncio

import httpx


class ProviderControl:
    """Jobs as the provider sees them, and its behaviour (fail, refuse, hold) for a test."""

    def __init__(self, base_url: str) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=10)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _post(self, path: str, body: dict) -> dict:
        response = await self._http.post(path, json=body)
        response.raise_for_status()
        return response.json()

    async def jobs(self) -> list[dict]:
        response = await self._http.get("/sim/jobs")
        response.raise_for_status()
        return response.json()

    async def job_for(self, reference: str) -> dict | None:
        return next((job for job in await self.jobs() if job["reference"] == reference), None)

    async def wait_for_job(self, reference: str, *, status: str | None = None, timeout: float = 30) -> dict:
        """Poll until the provider has the job (in `status`, when given)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            job = await self.job_for(reference)
            if job is not None and (status is None or job["status"] == status):
                return job
            if asyncio.get_running_loop().time() >= deadline:
                raise AssertionError(f"provider job for {reference} not {status or 'there'} after {timeout}s: {job}")
            await asyncio.sleep(0.1)

    async def behave(self, mode: str, *, times: int = 1, delay_seconds: float | None = None) -> None:
        body = {"mode": mode, "times": times}
        if delay_seconds is not None:
            body["delay_seconds"] = delay_seconds
        await self._post("/sim/behaviour", body)

    async def hold(self, held: bool, job_id: str | None = None) -> None:
        await self._post("/sim/hold", {"hold": held, **({"job_id": job_id} if job_id else {})})

    async def reset(self) -> None:
        await self._post("/sim/reset", {})
