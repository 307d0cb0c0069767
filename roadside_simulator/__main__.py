"""Run the simulator standalone: python -m roadside_simulator --port 8082."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time

from devstack.loopback import serve_until_signalled
from roadside_simulator.server import RoadsideSimulator, SimConfig


async def _serve(host: str, port: int, config: SimConfig, api_key: str | None) -> None:
    # A real provider's job ids never repeat; a restarted simulator's must not either (the store keeps them).
    simulator = RoadsideSimulator(config, api_key=api_key, job_prefix=f"J{int(time.time()):x}")
    await serve_until_signalled(simulator, host, port, [
        "Roadside provider simulator at {base_url}",
        "  jobs:    POST {base_url}/v1/jobs (auth: " + ("Bearer <api key>" if api_key else "any") + ")",
        "  control: {base_url}/sim/jobs, /sim/behaviour, /sim/config, /sim/hold, /sim/reset",
    ])


def main() -> None:
    """Parse arguments and serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8082)
    parser.add_argument("--speed-kmh", type=float, default=40.0, help="trucks' speed (default 40)")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="simulated seconds per real second (60: a real second is a simulated minute)")
    parser.add_argument("--tick-seconds", type=float, default=1.0, help="real seconds between two job steps")
    parser.add_argument("--booking-seconds", type=float, default=2.0, help="real seconds from requested to booked")
    parser.add_argument("--service-seconds", type=float, default=60.0,
                        help="simulated seconds from arrived to completed")
    # The environment variable keeps the key out of `ps`.
    parser.add_argument("--api-key", default=os.environ.get("ROADSIDE_API_KEY"),
                        help="require 'Authorization: Bearer KEY' (default $ROADSIDE_API_KEY; else any)")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    try:
        config = SimConfig(args.speed_kmh, args.time_scale, args.tick_seconds, args.booking_seconds,
                           args.service_seconds)
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    asyncio.run(_serve(args.host, args.port, config, args.api_key or None))


if __name__ == "__main__":
    main()
