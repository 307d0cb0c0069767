"""Waiting on a condition, not a fixed time."""
from __future__ import annotations

import asyncio
import inspect
import time


async def until(condition, *, timeout: float = 20, message: str = "condition", interval: float = 0.3):
    """Poll `condition()` (a function or a coroutine function) until it is truthy; return its value, or fail
    after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        await asyncio.sleep(interval)
