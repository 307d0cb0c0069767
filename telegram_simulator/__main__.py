"""Run the simulator standalone: python -m telegram_simulator --port 8081."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal

from telegram_simulator.server import BotApiSimulator


async def _serve(host: str, port: int, token: str | None) -> None:
    sim = BotApiSimulator(token=token)
    await sim.start(host, port)
    print(f"Telegram Bot API simulator at {sim.base_url}", flush=True)
    print(f"  bot:  ApplicationBuilder().base_url('{sim.base_url}/bot')"
          f".base_file_url('{sim.base_url}/file/bot')", flush=True)
    print(f"  chat: python -m telegram_simulator.chat --url {sim.base_url}", flush=True)
    stopped = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        asyncio.get_running_loop().add_signal_handler(signum, stopped.set)
    try:
        await stopped.wait()
    finally:
        await sim.stop()


def main() -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", help="default bot token for the control API (else the first seen)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    asyncio.run(_serve(args.host, args.port, args.token))


if __name__ == "__main__":
    main()
