"""stationmap: the national store, finder and map service for worker stations (工会驿站).

Layers, one way down: ``web`` and ``cli`` on top; the use cases below them; the
``store`` and the plain ``types`` at the bottom. Nothing below ``web`` imports Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

from .version import __version__

__all__ = ["__version__", "create_app"]


def create_app(config: Any = None) -> Flask:
    """Build the Flask application (see :func:`stationmap.web.create_app`)."""
    from .web import create_app as _create_app

    return _create_app(config)
