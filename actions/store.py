"""The action server's connection to the claims store, created on first use (never at import)."""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy.orm import Session, sessionmaker

from claims.db import make_engine, make_session_factory
from claims.settings import get_settings


@lru_cache(maxsize=1)
def session_factory() -> sessionmaker[Session]:
    """Build the session factory once per process, from the environment's settings."""
    return make_session_factory(make_engine(get_settings().database_url))
