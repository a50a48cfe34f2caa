"""What Flask views share: the app's :class:`~stationmap.web.service.Service`."""

from __future__ import annotations

from flask import current_app

from .service import Service

SERVICE_KEY = "stationmap.service"


def service() -> Service:
    """The service the app was built with: settings, store, live station index."""
    return current_app.extensions[SERVICE_KEY]
