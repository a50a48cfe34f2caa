"""The production server: gunicorn serving the application factory."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from .worker_memory import keep_freed_memory


class StationmapServer(BaseApplication):
    """gunicorn with its options given in code, not a config file."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from . import FINDER_KEY, create_app

        keep_freed_memory()  # in each worker, before its index is built
        app = create_app()
        app.extensions[FINDER_KEY].warm()
        return app


def serve(host: str, port: int, workers: int) -> None:
    """Serve until interrupted; each worker builds its own app and database pool."""
    StationmapServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "worker_class": "sync",
            "accesslog": "-",
            "timeout": 60,
            "limit_request_line": 8190,  # gunicorn's most: longer queries get our JSON 414
        }
    ).run()
