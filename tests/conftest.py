"""Fixtures: one store fixture over real SpatiaLite and real PostGIS, an app, a CLI runner.

PostGIS runs when ``STATIONMAP_TEST_POSTGRES_URL`` names a database with the postgis
extension (``.ci/run`` sets it up). Without it the PostGIS half skips locally, and
fails where ``STATIONMAP_REQUIRE_POSTGIS=1`` or ``CI=true``: CI never skips it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from stationmap.config import load_settings
from stationmap.regions import load_regions
from stationmap.store import Store, open_store
from stationmap.store.backend import create_store_engine
from stationmap.web import close_app

POSTGRES_URL = os.environ.get("STATIONMAP_TEST_POSTGRES_URL", "")
REQUIRE_POSTGIS = (
    os.environ.get("STATIONMAP_REQUIRE_POSTGIS") == "1"
    or os.environ.get("CI", "").lower() == "true"
)
BACKENDS = ("spatialite", "postgis")
BROWSER_FIXTURES = frozenset({"live_server", "browser", "page"})
SLOW_FIXTURES = frozenset({"full_set", "demo_store", "followers", "served", "wheel_names"})
"""Fixtures that take seconds: the full demo set, a 4,000-station store, several processes,
a built wheel."""
SLOW_TESTS = frozenset(
    {"test_a_killed_import_leaves_the_store_as_it_was", "test_queries_run_on_one_openmp_thread"}
)
"""Tests that take seconds by themselves: each starts another Python (a 60,000-row import to
kill, a fresh interpreter loading the finder)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark slow, PostGIS and browser tests, so ``make test-fast`` can leave them out.

    Marked here rather than in each module because each follows from the fixtures a test
    uses. ``make test`` (and so CI) selects nothing away: every marked test still runs.
    """
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if fixtures & SLOW_FIXTURES or getattr(item, "originalname", "") in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)
        if _uses_postgis(item):
            item.add_marker(pytest.mark.postgis)
        if fixtures & BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)


def _uses_postgis(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    on_postgis = callspec is not None and callspec.params.get("database_url") == "postgis"
    return on_postgis or "postgis_url" in getattr(item, "fixturenames", ())


@pytest.fixture(scope="session")
def regions():
    """The reference layers, loaded once for the whole run."""
    return load_regions()


@pytest.fixture(scope="session")
def spatialite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SpatiaLite file; each test gets a copy (migrating costs ~1 s)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = create_store_engine(f"sqlite:///{path}")
    Store(engine).init_schema()
    engine.dispose()
    return path


@pytest.fixture
def spatialite_url(tmp_path: Path, spatialite_template: Path) -> str:
    """URL of a fresh, migrated SpatiaLite database for one test."""
    path = tmp_path / "stationmap.sqlite"
    shutil.copy(spatialite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def postgis_url() -> Iterator[str]:
    """URL of a fresh, empty schema in the PostGIS test database for one test."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGIS:
            pytest.fail(
                "PostGIS tests are required here but STATIONMAP_TEST_POSTGRES_URL "
                "is not set (see .ci/run)"
            )
        pytest.skip("set STATIONMAP_TEST_POSTGRES_URL to run the PostGIS tests")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema},public"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh database on each backend in turn (PostGIS still needs migrating)."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def store(database_url: str, regions) -> Iterator[Store]:
    """A migrated, empty store on each backend in turn."""
    store = Store(create_store_engine(database_url), regions=regions)
    store.init_schema()
    yield store
    store.close()


@pytest.fixture
def cli_store(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A migrated store on each backend, which the ``stationmap`` commands run in this
    process write to (STATIONMAP_DATABASE_URL points at it)."""
    monkeypatch.setenv("STATIONMAP_DATABASE_URL", database_url)
    store = open_store(load_settings())
    store.init_schema()
    yield store
    store.close()


TEST_SECRET_KEY = "a test key: the instance folder's generated one is left alone"


def _make_app(database_url: str, **settings: str):
    from stationmap import create_app

    engine_store = Store(create_store_engine(database_url))
    engine_store.init_schema()
    engine_store.close()
    app = create_app({"database_url": database_url, "secret_key": TEST_SECRET_KEY, **settings})
    app.config["TESTING"] = True
    return app


@pytest.fixture
def app(spatialite_url: str):
    """The Flask app on a fresh SpatiaLite store."""
    app = _make_app(spatialite_url)
    yield app
    close_app(app)


@pytest.fixture(params=["memory", "database"])
def any_app(request: pytest.FixtureRequest, database_url: str):
    """The app on each backend, with each way of answering nearest queries."""
    app = _make_app(database_url, finder=request.param)
    yield app
    close_app(app)


@pytest.fixture
def client(app):
    """A client that talks to the real app in-process."""
    return app.test_client()
