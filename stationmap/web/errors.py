"""One place that renders the errors Flask catches: JSON under /api, a Chinese page elsewhere.

Under /api the JSON is :func:`.answers.error_answer` passed through
:func:`.answers.finish`, as every API answer is. Errors inside an endpoint do not
reach here (:func:`.routing.respond` renders them on both paths); Flask's own do: an
unknown path, a method a route does not take.
"""

from __future__ import annotations

import logging

from flask import Flask, Response, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from ..errors import StationmapError
from .answers import Answer, answer_for_error, error_answer, finish, request_from_environ
from .api import response_from
from .routing import UNEXPECTED

log = logging.getLogger(__name__)


def register(app: Flask) -> None:
    """Install the handlers on ``app``."""
    app.register_error_handler(StationmapError, _render_stationmap_error)
    app.register_error_handler(HTTPException, _render_http_error)
    app.register_error_handler(Exception, _render_unexpected)


def _render_stationmap_error(error: StationmapError) -> Response:
    if _under_api():
        return _api_response(answer_for_error(error))
    response = _page(error.status, error.message)
    response.headers.extend(error.headers)
    return response


def _render_http_error(error: HTTPException) -> Response:
    status, message = error.code or 500, error.description or error.name
    allowed = getattr(error, "valid_methods", None)  # a 405 says what is allowed
    headers = (("Allow", ", ".join(sorted(allowed))),) if allowed else ()
    if _under_api():
        code = (error.name or "error").lower().replace(" ", "_")
        return _api_response(error_answer(status, code, message, headers=headers))
    response = _page(status, message)
    response.headers.extend(headers)
    return response


def _render_unexpected(error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    if _under_api():
        return _api_response(error_answer(500, "internal_error", UNEXPECTED))
    return _page(500, UNEXPECTED)


def _under_api() -> bool:
    return request.path.startswith("/api/")


def _api_response(answer: Answer) -> Response:
    return response_from(finish(request_from_environ(request.environ, {}), answer))


def _page(status: int, message: str) -> Response:
    return make_response(render_template("error.html", status=status, message=message), status)
