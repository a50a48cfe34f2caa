"""The web layer: the Flask application factory and its blueprints."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from ..config import Settings, configure_logging, load_settings
from ..finder import LiveIndex, StationIndex
from ..geojson import prime_feature_heads
from ..resources import static_dir, templates_dir
from ..store import Store, open_store
from . import (
    api,
    auth,
    compression,
    context,
    errors,
    manage,
    manage_imports,  # noqa: F401  (routes on manage's blueprint)
    manage_users,  # noqa: F401  (routes on manage's blueprint)
    pages,
    planning,
)
from .basemaps import basemap_config
from .context import SERVICE_KEY
from .fastpath import FastPath
from .service import Service

log = logging.getLogger(__name__)

STORE_KEY = "stationmap.store"
FINDER_KEY = "stationmap.finder"


PLANNING_POST_LIMIT = "20 per minute; 300 per hour"
"""How often one address may ask for proposals among an uploaded list (each runs the
solver for up to about ten seconds)."""


def create_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` is a :class:`Settings`, or overrides keyed by field name.

    Settings are read once here; the store is opened (not migrated: run
    ``stationmap init-db`` first, the app refuses to serve an old schema).
    """
    settings = config if isinstance(config, Settings) else load_settings(overrides=config)
    configure_logging(settings)
    basemap_config(settings)  # a missing 天地图 key stops start-up, not a page later
    app = Flask(__name__, template_folder=str(templates_dir()), static_folder=str(static_dir()))
    app.config["STATIONMAP_SETTINGS"] = settings
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600  # scripts and styles: an hour, then revalidate
    app.json = ChineseJSON(app)
    app.extensions[STORE_KEY] = store = _open_checked_store(settings)
    app.extensions[FINDER_KEY] = live = LiveIndex(store, on_load=_prime_answers)
    app.extensions[SERVICE_KEY] = service = Service(settings, store, live)
    app.context_processor(lambda: {"notice": context.service().notice()})
    errors.register(app)
    limiter = auth.register(app, settings)
    compression.register(app)
    for writing in (api.blueprint, manage.blueprint):
        auth.limit_writes(limiter, writing, settings.write_rate_limit)
    # a planner's uploaded candidate list runs the solver: per address, it writes nothing
    auth.limit_writes(limiter, planning.blueprint, PLANNING_POST_LIMIT)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(planning.blueprint)
    app.register_blueprint(manage.blueprint)
    app.wsgi_app = FastPath(app.wsgi_app, service)  # type: ignore[method-assign]  # Flask's middleware pattern
    return app


class ChineseJSON(DefaultJSONProvider):
    """JSON as written: Chinese as characters, not \\u escapes; keys in the order given."""

    ensure_ascii = False
    sort_keys = False


def close_app(app: Flask) -> None:
    """Stop following the store, then close its connections (for tests and scripts
    that build an app and are done with it before the process ends)."""
    app.extensions[FINDER_KEY].stop()
    app.extensions[STORE_KEY].close()


def _prime_answers(index: StationIndex) -> None:
    """Serialise every station's GeoJSON in the background once the index is loaded.

    Not before the index serves: priming the national set takes about 5 s of a
    worker's 13 s start (reading the stations 7.6 s, the index 0.6 s), and until a
    station is primed its first answer costs only about 13 µs more.
    """
    threading.Thread(
        target=_prime_in_background, args=(index.stations,), name="prime-answers", daemon=True
    ).start()


PRIME_PAUSE_S = 0.0013
"""The priming thread sleeps as long as it works: it takes half the GIL at most, so the
requests served meanwhile wait for it little (see :func:`prime_feature_heads`)."""


def _prime_in_background(stations: list) -> None:
    started = time.perf_counter()
    count = prime_feature_heads(stations, PRIME_PAUSE_S)
    log.info("answers primed: %d stations in %.1f s", count, time.perf_counter() - started)


def _open_checked_store(settings: Settings) -> Store:
    store = open_store(settings)
    if not store.schema_is_current():
        store.close()
        from ..errors import DatabaseUnavailable

        raise DatabaseUnavailable(
            f"the database at {settings.effective_database_url} is not at the current "
            "schema: run `stationmap init-db` first"
        )
    return store
