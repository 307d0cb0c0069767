"""Run the simulator standalone: python -m telegram_simulator --port 8081."""

from __future__ import annotations

import argparse
import asyncio
import logging

from devstack.loopback import serve_until_signalled
from telegram_simulator.server import BotApiSimulator


async def _serve(host: str, port: int, token: str | None) -> None:
    await serve_until_signalled(BotApiSimulator(token=token), host, port, [
        "Telegram Bot API simulator at {base_url}",
        "  bot:  ApplicationBuilder().base_url('{base_url}/bot').base_file_url('{base_url}/file/bot')",
        "  chat: python -m telegram_simulator.chat --url {base_url}",
    ])


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
