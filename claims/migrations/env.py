"""Alembic environment: the URL comes from the caller, `-x url=...` or ClaimsSettings."""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context

from claims.db import make_engine
from claims.models import Base
from claims.settings import ClaimsSettings

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def database_url() -> str:
    return (
        config.attributes.get("database_url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or ClaimsSettings().database_url
    )


def _configure(**kwargs) -> None:
    url = kwargs.get("url") or kwargs["connection"].engine.url
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=str(url).startswith("sqlite"),  # SQLite cannot ALTER most things in place
        compare_type=True,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # a caller's open connection, e.g. in tests
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(database_url())
    try:
        with engine.connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
