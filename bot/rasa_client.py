"""Client for the Rasa server's REST channel: the only way the front end talks to Rasa."""
from __future__ import annotations

import logging
from typing import Any

import httpx

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa could not be reached or answered with an error."""


class RasaClient:
    """Sends a user's message with its metadata and returns Rasa's replies."""

    def __init__(self, base_url: str, *, timeout: float, auth_token: str | None = None) -> None:
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=timeout)
        # Rasa's HTTP API (tracker events) is protected by --auth-token; its REST channel is not.
        self._api_params = {"token": auth_token} if auth_token else {}

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any]) -> list[dict[str, Any]]:
        """Post one message to /webhooks/rest/webhook; the replies come back in order."""
        try:
            response = await self._client.post(
                "/webhooks/rest/webhook",
                json={"sender": sender_id, "message": text, "metadata": metadata},
            )
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise RasaUnavailable(str(error)) from error
        return response.json() or []

    async def pause(self, sender_id: str) -> None:
        """Pause the conversation while a person has it: Rasa logs messages but predicts nothing."""
        await self._append_event(sender_id, {"event": "pause"})

    async def resume(self, sender_id: str) -> None:
        """Resume the conversation when the person hands it back."""
        await self._append_event(sender_id, {"event": "resume"})

    async def _append_event(self, sender_id: str, event: dict[str, Any]) -> None:
        try:
            response = await self._client.post(f"/conversations/{sender_id}/tracker/events", json=event,
                                               params=self._api_params)
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise RasaUnavailable(str(error)) from error

    async def active_loop(self, sender_id: str) -> str | None:
        """The form the conversation is in, if any (a survey must not interrupt an accident report)."""
        try:
            response = await self._client.get(f"/conversations/{sender_id}/tracker",
                                              params={**self._api_params, "include_events": "NONE"})
            response.raise_for_status()
        except httpx.HTTPError as error:
            raise RasaUnavailable(str(error)) from error
        return ((response.json() or {}).get("active_loop") or {}).get("name")

    async def start_form(self, sender_id: str, form: str, slots: dict[str, Any]) -> list[dict[str, Any]]:
        """Start a form the bot opens itself (the NPS survey): set its slots, run it, and return what it asks.

        Rasa's HTTP API, not the REST channel: a customer cannot start it, and the form's first question comes
        back in the response (no output channel: Rasa collects the messages)."""
        events = [{"event": "slot", "name": name, "value": value} for name, value in slots.items()]
        try:
            if events:
                response = await self._client.post(f"/conversations/{sender_id}/tracker/events", json=events,
                                                   params=self._api_params)
                response.raise_for_status()
            response = await self._client.post(f"/conversations/{sender_id}/execute", json={"name": form},
                                               params=self._api_params)
            response.raise_for_status()
            messages = (response.json() or {}).get("messages") or []
            # the form has asked: the conversation now waits for the customer, as after any question
            listen = await self._client.post(f"/conversations/{sender_id}/tracker/events",
                                             json={"event": "action", "name": "action_listen"}, params=self._api_params)
            listen.raise_for_status()
        except httpx.HTTPError as error:
            raise RasaUnavailable(str(error)) from error
        return messages

    async def is_ready(self) -> bool:
        """True when the server answers and has a model loaded."""
        try:
            response = await self._client.get("/status")
            return response.status_code == 200 and bool(response.json().get("model_file"))
        except httpx.HTTPError:
            return False

    async def close(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()
