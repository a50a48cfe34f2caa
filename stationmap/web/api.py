"""The JSON API under /api/v1 in Flask: one view for every public route, one for every
signed-in action.

The work is in :mod:`.endpoints` (Flask-free); :func:`.routing.respond` answers, renders
errors and sets the headers, the same call the WSGI fast path makes; signed-in actions
go through :func:`.routing.respond_signed_in` with the principal :func:`principal_for`
resolves and a reader of the body, which it reads within the action's limit once the
caller is known.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, update_wrapper

from flask import Blueprint, Response, request

from . import context
from .answers import Reply, read_body, request_from_environ
from .endpoints import ACTIONS, ROUTES, Action, Route
from .principals import principal_for
from .routing import flask_rule, respond, respond_signed_in

blueprint = Blueprint("api", __name__)


def view(route: Route, **path_params: str) -> Response:
    """Every public API view: the route's reply to this request, as a Flask response."""
    return response_from(
        respond(context.service(), route, request_from_environ(request.environ, path_params))
    )


def signed_in_view(action: Action, **path_params: str) -> Response:
    """Every signed-in action's view: its reply to this request, as a Flask response."""
    asked = request_from_environ(request.environ, path_params, principal_for(request))
    read = partial(read_body, request.environ)
    return response_from(respond_signed_in(context.service(), action, asked, read))


class FinishedResponse(Response):
    """A Flask response that adds no header of its own (not even a default Content-Type)."""

    default_mimetype = None


def response_from(reply: Reply) -> Response:
    """A finished reply as Flask's response, its status line and headers as they are."""
    return FinishedResponse(reply.body, status=reply.status, headers=reply.headers)


def _register_every_route() -> None:
    """One rule per public route of the table, each calling :func:`view`, and one per
    signed-in action, each calling :func:`signed_in_view`."""
    for route in ROUTES.values():
        blueprint.add_url_rule(
            flask_rule(route.path),
            route.answer.__name__,
            _named_view(route),
            methods=["GET", "OPTIONS"],
            provide_automatic_options=False,  # respond answers OPTIONS, with the headers
        )
    for action in ACTIONS.values():
        blueprint.add_url_rule(
            flask_rule(action.path),
            action.answer.__name__,
            update_wrapper(partial(signed_in_view, action), action.answer),  # named: as below
            methods=[action.method],
            provide_automatic_options=False,  # no CORS preflight for credentialed calls
        )


def _named_view(route: Route) -> Callable[..., Response]:
    """:func:`view` bound to ``route``, named after its endpoint function: Flask-Limiter
    looks up every view's qualified name on every request (a bare partial has none)."""
    return update_wrapper(partial(view, route), route.answer)


_register_every_route()
