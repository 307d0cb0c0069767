"""`python -m claims.migrate [--url URL]`: bring the database to the latest schema."""
from __future__ import annotations

import argparse

from claims.db import upgrade_database
from claims.settings import get_settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: DATABASE_URL or the settings default)")
    parser.add_argument("--revision", default="head")
    args = parser.parse_args(argv)
    upgrade_database(args.url or get_settings().database_url, args.revision)
    print(f"database at revision {args.revision}")


if __name__ == "__main__":
    main()
