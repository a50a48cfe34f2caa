"""The JSON API under /api/v1 in Flask: one view for every public route, one for every
signed-in action.

The work is in :mod:`.endpoints` (Flask-free); :func:`.routing.respond` answers, renders
errors and sets the headers, the same call the WSGI fast path makes; signed-in actions
go through :func:`.routing.respond_signed_in` with the principal :func:`principal_for`
resolves and the body read within the action's limit.
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, request

from . import context
from .answers import Reply, Request, read_body, request_from_environ
from .endpoints import ACTIONS, ROUTES, Action, Route
from .principals import principal_for
from .routing import flask_rule, respond, respond_signed_in

blueprint = Blueprint("api", __name__)


def view(route: Route, **path_params: str) -> Response:
    """Every API view: the route's reply to this request, as a Flask response."""
    return response_from(
        respond(context.service(), route, request_from_environ(request.environ, path_params))
    )


def signed_in_view(action: Action, **path_params: str) -> Response:
    """Every signed-in action's view: its reply to this request, as a Flask response."""
    asked = _signed_in(action, path_params)
    return response_from(respond_signed_in(context.service(), action, asked))


def _signed_in(action: Action, path_params: dict[str, str]) -> Request:
    """The request with its principal and, for a signed-in caller, its body (a body over
    the action's limit is a 413 before it is read)."""
    principal = principal_for(request)
    asked = request_from_environ(request.environ, path_params)
    asked.principal = principal
    if principal is not None and action.max_body:
        asked.body = read_body(request.environ, action.max_body)
    return asked


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
            partial(view, route),
            methods=["GET", "OPTIONS"],
            provide_automatic_options=False,  # respond answers OPTIONS, with the headers
        )
    for action in ACTIONS.values():
        blueprint.add_url_rule(
            flask_rule(action.path),
            action.answer.__name__,
            partial(signed_in_view, action),
            methods=[action.method],
            provide_automatic_options=False,  # no CORS preflight for credentialed calls
        )


_register_every_route()
