"""From an API request to its reply, for every server in front (Flask-free).

:func:`respond` is the one answer path: it parses the query through the route's
declared parameters, asks the endpoint, renders any error as JSON and passes the
answer through :func:`finish`, which sets the headers. The Flask views call it with
the route Flask matched; the WSGI fast path with the route :func:`match` found in
the same table. :func:`respond_signed_in` is the same path for a signed-in user's
operation (:data:`~.endpoints.ACTIONS`), which only Flask answers: it needs to know who
is asking.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from ..editing.access import signed_in
from ..errors import StationmapError
from .answers import (
    ALLOW,
    MAX_QUERY_BYTES,
    Answer,
    Reply,
    Request,
    answer_for_error,
    error_answer,
    finish,
)
from .endpoints import ROUTES, Action, Route
from .params import QueryArgs
from .service import Service

log = logging.getLogger(__name__)

UNEXPECTED = "something went wrong on our side; it has been logged"

_PLACEHOLDER = re.compile(r"\{(\w+)\}")

BodyReader = Callable[[int], bytes]
"""Reads the request's body, at most the given number of bytes (else PayloadTooLarge)."""


def respond(service: Service, route: Route, request: Request) -> Reply:
    """The reply to ``request`` on ``route``: the endpoint's answer, or its error, finished."""
    return finish(request, _answer(service, route, request))


def respond_signed_in(
    service: Service, action: Action, request: Request, read: BodyReader
) -> Reply:
    """The reply to a signed-in user's ``request`` for ``action``: 401 without a principal;
    else its body read by ``read(action.max_body)`` (413 past it), the action's answer or
    its error, finished as every answer is but with no CORS (``public=False``)."""
    return finish(request, _signed_in_answer(service, action, request, read), public=False)


def answered(answer: Callable[[], Answer], request: Request | None = None) -> Answer:
    """``answer()``, or the error it raised as JSON (an unexpected one logged, as a 500):
    for the few views outside the route tables (a planner's uploaded list)."""
    try:
        return answer()
    except StationmapError as error:
        return answer_for_error(error)
    except Exception:
        where = f" on {request.method} {request.path}" if request else ""
        log.exception("unexpected error%s", where)
        return error_answer(500, "internal_error", UNEXPECTED)


def _answer(service: Service, route: Route, request: Request) -> Answer:
    if request.method == "OPTIONS":
        return Answer(204, b"", None, headers=(("Allow", ALLOW),))
    if request.query_bytes > MAX_QUERY_BYTES:
        return _too_long(request)
    try:
        args = QueryArgs(request.args, route.endpoint.parameters)
        return route.answer(service, args, **request.path_params)
    except StationmapError as error:
        return answer_for_error(error)
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_answer(500, "internal_error", UNEXPECTED)


def _signed_in_answer(
    service: Service, action: Action, request: Request, read: BodyReader
) -> Answer:
    def answer() -> Answer:
        signed_in(request.principal)  # 401 before the query or the body is looked at
        if request.query_bytes > MAX_QUERY_BYTES:
            return _too_long(request)
        QueryArgs(request.args, {})  # the signed-in operations take no query parameters
        if action.max_body:
            request.body = read(action.max_body)
        return action.answer(service, request, **request.path_params)

    return _guarded(request, answer)


def _guarded(request: Request, answer: Callable[[], Answer]) -> Answer:
    """``answer()``, or the error it raised as JSON (an unexpected one logged, as a 500).
    (:func:`_answer` spells this out: no closure on the nearest path.)"""
    try:
        return answer()
    except StationmapError as error:
        return answer_for_error(error)
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_answer(500, "internal_error", UNEXPECTED)


def _too_long(request: Request) -> Answer:
    """414 for a query longer than any endpoint reads, saying how long it was."""
    return error_answer(
        414,
        "uri_too_long",
        f"the query string is {request.query_bytes} bytes long, expected at most "
        f"{MAX_QUERY_BYTES}: send only the parameters this endpoint takes",
    )


def match(path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for ``path`` and its path parameters, as Flask's router would find them."""
    route = _STATIC.get(path)
    if route is not None:
        return route, {}
    for pattern, route in _DYNAMIC:
        found = pattern.fullmatch(path)
        if found:
            return route, found.groupdict()
    return None


def flask_rule(path: str) -> str:
    """``/stations/{station_id}`` as Flask spells it: ``/stations/<station_id>``."""
    return _PLACEHOLDER.sub(r"<\1>", path)


def _pattern(path: str) -> re.Pattern:
    """A path template as a regular expression; a placeholder is one segment, as in Flask."""
    pieces = _PLACEHOLDER.split(path)  # literal text and placeholder names, in turn
    return re.compile(
        "".join(f"(?P<{p}>[^/]+)" if i % 2 else re.escape(p) for i, p in enumerate(pieces))
    )


_STATIC = {path: route for path, route in ROUTES.items() if "{" not in path}
_DYNAMIC = [(_pattern(path), route) for path, route in ROUTES.items() if "{" in path]
"""Literal paths first, then templates: Flask too prefers ``/stations/nearest`` to
``/stations/{station_id}``."""
