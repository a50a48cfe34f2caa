"""From an API request to its reply, for every server in front (Flask-free).

:func:`respond` is the one answer path: it parses the query through the route's
declared parameters, asks the endpoint, renders any error as JSON and passes the
answer through :func:`finish`, which sets the headers. The Flask views call it with
the route Flask matched; the WSGI fast path with the route :func:`match` found in
the same table.
"""

from __future__ import annotations

import logging
import re

from ..errors import StationmapError
from .answers import (
    MAX_QUERY_BYTES,
    Answer,
    Reply,
    Request,
    answer_for_error,
    error_answer,
    finish,
)
from .endpoints import ROUTES, Route
from .params import QueryArgs
from .service import Service

log = logging.getLogger(__name__)

UNEXPECTED = "something went wrong on our side; it has been logged"

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def respond(service: Service, route: Route, request: Request) -> Reply:
    """The reply to ``request`` on ``route``: the endpoint's answer, or its error, finished."""
    return finish(request, _answer(service, route, request))


def _answer(service: Service, route: Route, request: Request) -> Answer:
    if request.method == "OPTIONS":
        return Answer(204, b"", None, headers=(("Allow", route.allow),))
    if request.query_bytes > MAX_QUERY_BYTES:
        return _too_long(request)
    try:
        return _endpoint_answer(service, route, request)
    except StationmapError as error:
        return answer_for_error(error)
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_answer(500, "internal_error", UNEXPECTED)


def _endpoint_answer(service: Service, route: Route, request: Request) -> Answer:
    """The endpoint's answer for the request's method: a write (which reads no query
    parameters), a signed-in read (told who asks), or a public read."""
    write = route.writes.get(request.method)
    if write is not None:
        return write(service, request, QueryArgs(request.args, {}), **request.path_params)
    args = QueryArgs(request.args, route.endpoint.parameters)
    if route.signed_in:
        return route.answer(service, request, args, **request.path_params)
    return route.answer(service, args, **request.path_params)


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
