"""The JSON API under /api/v1 in Flask: one view, registered for every route of the table.

The work is in :mod:`.endpoints` (Flask-free); :func:`.routing.respond` answers, renders
errors and sets the headers, the same call the WSGI fast path makes.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, update_wrapper

from flask import Blueprint, Response, request

from . import context
from .answers import WRITE_METHODS, Reply, Request, request_from_environ
from .endpoints import ROUTES, Route
from .principal import principal_for
from .request_bodies import MAX_BODY_BYTES
from .routing import flask_rule, respond

blueprint = Blueprint("api", __name__)


def view(route: Route, **path_params: str) -> Response:
    """Every API view: the route's reply to this request, as a Flask response."""
    return response_from(respond(context.service(), route, api_request(path_params)))


def api_request(path_params: dict[str, str]) -> Request:
    """Flask's current request as the answer path reads it: with who sent it and, for a
    write, its body (read up to one byte past what a write takes)."""
    reads_body = request.method in WRITE_METHODS
    return request_from_environ(
        request.environ,
        path_params,
        principal_for(request),
        max_body=MAX_BODY_BYTES if reads_body else 0,
    )


class FinishedResponse(Response):
    """A Flask response that adds no header of its own (not even a default Content-Type)."""

    default_mimetype = None


def response_from(reply: Reply) -> Response:
    """A finished reply as Flask's response, its status line and headers as they are."""
    return FinishedResponse(reply.body, status=reply.status, headers=reply.headers)


def _register_every_route() -> None:
    """One rule per route of the table, each calling :func:`view`."""
    for route in ROUTES.values():
        blueprint.add_url_rule(
            flask_rule(route.path),
            route.answer.__name__,
            _named_view(route),
            methods=["GET", "OPTIONS", *route.writes],
            provide_automatic_options=False,  # respond answers OPTIONS, with the headers
        )


def _named_view(route: Route) -> Callable[..., Response]:
    """:func:`view` bound to ``route``, named after its endpoint function: Flask-Limiter
    looks up every view's qualified name on every request (a bare partial has none)."""
    return update_wrapper(partial(view, route), route.answer)


_register_every_route()
