"""The production server: gunicorn serving the application factory."""

from __future__ import annotations

import logging
import re
import socket
from pathlib import Path
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication
from werkzeug.middleware.proxy_fix import ProxyFix

from ..config import Settings
from ..errors import StationmapError
from .worker import REQUEST_LINE_LIMIT
from .worker_memory import keep_freed_memory

log = logging.getLogger(__name__)

WORKER_CLASS = "stationmap.web.worker.StationmapWorker"
"""gunicorn's sync worker with stationmap's changes (:mod:`stationmap.web.worker`)."""
ACCESS_LOGGER_CLASS = "stationmap.web.access_log.AccessLogger"
"""gunicorn's logger, the same lines with less work (:mod:`stationmap.web.access_log`)."""

CONTROL_SOCKET_MAX_BYTES = 100
"""A Unix socket's path must fit in 108 bytes (Linux); longer paths leave it out."""


class StationmapServer(BaseApplication):
    """gunicorn with its options given in code, not a config file."""

    def __init__(self, options: dict[str, Any], settings: Settings) -> None:
        self.options = options
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from . import FINDER_KEY, create_app

        keep_freed_memory()  # in each worker, before its index is built
        app = create_app(self.settings)
        app.extensions[FINDER_KEY].warm()
        return behind_proxies(app, self.settings.trust_proxy)


def serve(host: str, port: int, workers: int, settings: Settings) -> None:
    """Serve until interrupted; each worker builds its own app and database pool."""
    StationmapServer(gunicorn_options(host, port, workers, settings), settings).run()


def check_address(host: str, port: int) -> None:
    """Refuse at once an address this machine cannot listen on (gunicorn would retry for
    five seconds, then stop with a page of log lines)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn does
            probe.bind(address)
    except OSError as exc:
        raise StationmapError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc}): give --host an address "
            "of this machine (127.0.0.1, or 0.0.0.0 for every one) and --port a free port",
            code="address_unavailable",
        ) from None


def gunicorn_options(host: str, port: int, workers: int, settings: Settings) -> dict[str, Any]:
    """gunicorn's settings for one server: its address, workers, timeout, access log and
    its own control socket (gunicorn's default, ``~/.gunicorn/gunicorn.ctl``, is shared by
    every server a user runs: the last one started takes it over)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": WORKER_CLASS,
        "accesslog": "-",
        "access_log_format": settings.access_log_format,
        "logger_class": ACCESS_LOGGER_CLASS,
        "timeout": settings.worker_timeout,
        "limit_request_line": REQUEST_LINE_LIMIT,  # longer lines: the worker's JSON 414
        **_control_socket(settings.instance_dir, host, port),
    }


def behind_proxies(app: Flask, proxies: int) -> Flask:
    """``app`` taking the client's address, scheme and host from the X-Forwarded-For,
    -Proto and -Host headers its ``proxies`` (nginx) set; unchanged when there are none."""
    if proxies:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]  # Flask's middleware pattern
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies
        )
    return app


def control_socket_path(instance_dir: Path, host: str, port: int) -> Path:
    """Where the server at ``host:port`` keeps gunicorn's control socket (for
    ``gunicornc``): in the instance folder, named for its address."""
    address = re.sub(r"[^A-Za-z0-9.-]", "_", f"{host}-{port}")
    return instance_dir.resolve() / f"gunicorn-{address}.ctl"


def _control_socket(instance_dir: Path, host: str, port: int) -> dict[str, Any]:
    """The control socket settings: this server's own path, or none when it is too long."""
    path = control_socket_path(instance_dir, host, port)
    if len(str(path).encode()) > CONTROL_SOCKET_MAX_BYTES:
        log.warning("no gunicorn control socket: its path %s is too long for a socket", path)
        return {"control_socket_disable": True}
    path.parent.mkdir(parents=True, exist_ok=True)
    return {"control_socket": str(path)}
