"""Plugin: an empty database for each test, on SQLite and on a real PostgreSQL.

Fixtures (function scope; each yields a SQLAlchemy URL string):
    database_url  parametrised, ids ``sqlite`` and ``postgresql``: run the test on both.
    sqlite_url    a new file in the test's tmp_path.
    postgres_url  a new database ``foimail_t_<hex>`` (from template0), dropped WITH (FORCE) afterwards,
                  on the server of $FOIMAIL_TEST_POSTGRES_URL (default below).

A database per test costs about 40 ms on PostgreSQL 15 (CREATE + DROP), so tests get whole databases rather
than schemas: nothing a test does (extensions, search_path, leaked connections) can reach the next test.

`migrated(url)` brings a test's empty database to the newest schema. Running the migrations costs 0.1 s on
SQLite and 0.3 s on PostgreSQL, for each of about a thousand tests; so they run once per session and each
test gets a copy of what they built: SQLite's backup API copies the file, and on PostgreSQL pg_dump's
script of the migrated database runs in one round trip (CREATE DATABASE ... TEMPLATE costs 0.5 s here).
Tests of the migrations themselves call `upgrade`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from foimail.store.db import upgrade
from tests.support import unavailable

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
START_POSTGRES = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
DATABASE_PREFIX = "foimail_t_"
TEMPLATE_PREFIX = "foimail_tpl_"
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


def migrated(url: str) -> None:
    """Bring the (usually empty) database at `url` to the newest schema, from a copy when it is empty."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        if path.name and not (path.exists() and path.stat().st_size):
            with sqlite3.connect(_sqlite_template()) as source, sqlite3.connect(path) as target:
                source.backup(target)
            return
    elif (parsed.database or "").startswith(DATABASE_PREFIX) and _has_no_tables(url):
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.begin() as connection:  # one script, one round trip, one transaction
                connection.exec_driver_sql(_postgres_schema())
        finally:
            engine.dispose()
        return
    upgrade(url)


_templates: dict[str, str] = {}  # backend -> the migrated template: a file, or a database's name
_engines: dict[str, Engine] = {}


def _sqlite_template() -> str:
    if "sqlite" not in _templates:
        directory = tempfile.mkdtemp(prefix="foimail-schema-")
        atexit.register(shutil.rmtree, directory, True)
        path = os.path.join(directory, "migrated.sqlite3")
        upgrade(f"sqlite:///{path}")
        _templates["sqlite"] = path
    return _templates["sqlite"]


def _postgres_schema() -> str:
    """pg_dump of a database the migrations built (schema, and rows such as alembic_version), as one script."""
    if "postgresql" not in _templates:
        admin = create_engine(postgres_server_url(), isolation_level="AUTOCOMMIT")
        with new_postgres_database(admin, prefix=TEMPLATE_PREFIX) as url:
            upgrade(url)
            dump = shutil.which("pg_dump")
            if dump is None:
                unavailable("pg_dump not found (it comes with postgresql-client)")
            plain = make_url(url)
            command = [dump, "--no-owner", "--no-privileges", "--inserts", "-h", plain.host or "127.0.0.1"]
            command += ["-p", str(plain.port or 5432), "-U", plain.username or "postgres", plain.database or ""]
            script = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        admin.dispose()
        # psql's meta-commands (\restrict in newer pg_dump) and the emptied search_path are for psql alone.
        lines = [line for line in script.splitlines() if not line.startswith("\\")]
        _templates["postgresql"] = "\n".join(lines).replace(
            "SELECT pg_catalog.set_config('search_path', '', false);", ""
        )
    return _templates["postgresql"]


def _has_no_tables(url: str) -> bool:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return not connection.execute(text("SELECT 1 FROM pg_tables WHERE schemaname = 'public' LIMIT 1")).first()
    finally:
        engine.dispose()
