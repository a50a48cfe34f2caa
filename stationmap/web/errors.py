"""One place that renders errors: JSON under /api, a Chinese HTML page elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import StationmapError

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(StationmapError, _render_stationmap_error)
    app.register_error_handler(HTTPException, _render_http_error)
    app.register_error_handler(Exception, _render_unexpected)


def _render(status: int, code: str, message: str) -> tuple[Response | str, int]:
    if request.path.startswith("/api/"):
        return jsonify({"error": {"code": code, "message": message}}), status
    return render_template("error.html", status=status, message=message), status


def _render_stationmap_error(error: StationmapError) -> tuple[Response | str, int]:
    if request.path.startswith("/api/"):
        return jsonify(error.to_dict()), error.status
    return _render(error.status, error.code, error.message)


def _render_http_error(error: HTTPException) -> Response:
    code = (error.name or "error").lower().replace(" ", "_")
    response = make_response(_render(error.code or 500, code, error.description or error.name))
    allowed = getattr(error, "valid_methods", None)  # a 405 says what is allowed
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)
    return response


def _render_unexpected(error: Exception) -> tuple[Response | str, int]:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return _render(500, "internal_error", "something went wrong on our side; it has been logged")
