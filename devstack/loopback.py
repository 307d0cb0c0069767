"""What the local simulators share: an aiohttp app served on a loopback port, and running one until signalled."""
from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterable

import aiohttp
from aiohttp import web


class LoopbackServer:
    """Serves `self.app` (set by the subclass) and lends a client session for its own outgoing calls."""

    app: web.Application

    def __init__(self) -> None:
        self.closing = False
        self.base_url = ""
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def http(self) -> aiohttp.ClientSession:
        """Client session for the server's own calls (webhooks, callbacks, downloads)."""
        if self._http is None:
            self._http = aiohttp.ClientSession()
        return self._http

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> int:
        """Serve on host:port (0 picks a free port) and return the bound port."""
        self.closing = False
        self._runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[-1][1]
        self.base_url = f"http://{host}:{bound}"
        return bound

    async def stop(self) -> None:
        """Stop serving and close the client session (subclasses stop their own work first)."""
        self.closing = True
        if self._runner:
            await self._runner.cleanup()
            self._runner = None
        if self._http:
            await self._http.close()
            self._http = None


async def serve_until_signalled(server: LoopbackServer, host: str, port: int, banner: Iterable[str] = ()) -> None:
    """Start `server`, print where it is (and `banner`, formatted with {base_url}), run until SIGINT/SIGTERM."""
    await server.start(host, port)
    for line in banner:
        print(line.format(base_url=server.base_url), flush=True)
    stopped = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stopped.set)
    try:
        await stopped.wait()
    finally:
        await server.stop()
