"""Plugin: an empty database for each test, on SQLite and on a real PostgreSQL.

Fixtures (function scope; each yields a SQLAlchemy URL string):
    database_url  parametrised, ids ``sqlite`` and ``postgresql``: run the test on both.
    sqlite_url    a new file in the test's tmp_path.
    postgres_url  a new database ``foimail_t_<hex>`` (from template0), dropped WITH (FORCE) afterwards,
                  on the server of $FOIMAIL_TEST_POSTGRES_URL (default below).

A database per test costs about 40 ms on PostgreSQL 15 (CREATE + DROP), so tests get whole databases rather
than schemas: nothing a test does (extensions, search_path, leaked connections) can reach the next test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from tests.support import unavailable

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
DATABASE_PREFIX = "foimail_t_"
_FIXTURE_BY_BACKEND = {"sqlite": "sqlite_url", "postgresql": "postgres_url"}


def postgres_server_url() -> URL:
    return make_url(os.environ.get("FOIMAIL_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL))


@pytest.fixture(scope="session")
def _postgres_admin() -> Iterator[Engine]:
    """One autocommit connection to the maintenance database, for CREATE and DROP DATABASE."""
    url = postgres_server_url()
    engine = create_engine(url, isolation_level="AUTOCOMMIT", pool_size=1, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        engine.dispose()
        unavailable(
            f"PostgreSQL not reachable at {url.render_as_string(hide_password=True)}: start it with "
            f"`{START_POSTGRES}` or set FOIMAIL_TEST_POSTGRES_URL ({error.orig})"
        )
    yield engine
    engine.dispose()


@contextmanager
def new_postgres_database(admin_engine: Engine, prefix: str = DATABASE_PREFIX) -> Iterator[str]:
    """The URL of a new empty database, dropped WITH (FORCE) afterwards (also used by bench/)."""
    name = f"{prefix}{uuid.uuid4().hex[:16]}"
    # template0 is never connected to and never altered: the copy is empty and CREATE cannot collide.
    with admin_engine.connect() as admin:
        admin.execute(text(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"))
    try:
        yield postgres_server_url().set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_engine.connect() as admin:
            admin.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def postgres_url(_postgres_admin: Engine) -> Iterator[str]:
    with new_postgres_database(_postgres_admin) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'foimail.sqlite3'}"


@pytest.fixture(params=list(_FIXTURE_BY_BACKEND), ids=list(_FIXTURE_BY_BACKEND))
def database_url(request: pytest.FixtureRequest) -> str:
    url = request.getfixturevalue(_FIXTURE_BY_BACKEND[request.param])
    assert isinstance(url, str)
    return url
