"""The API answered straight from WSGI, ahead of Flask, through the same answer path.

Why: on these 2-core machines gunicorn plus Flask spend about 165 µs on a request
before doing any work (a bare Flask endpoint returning fixed bytes), while the
nearest query itself takes about 25 µs; through a Flask view, nearest managed half
the bare endpoint's requests per second (``scripts/bench_finder.py``). This path
skips only the framework: it answers only public reads (a signed-in read such as a
station's history, and every write, need Flask to know who asks), matches the same
route table and calls
:func:`~stationmap.web.routing.respond`, exactly as the Flask view does, so the
endpoint, the error JSON and every header (:func:`~stationmap.web.answers.finish`)
are the same code. A request it does not match (another method, a page, an unknown
path) goes on to Flask, whose error handlers render through the same two functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .answers import request_from_environ, wsgi_path
from .routing import match, respond
from .service import Service

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]

ANSWERED = ("GET", "OPTIONS")
"""The methods answered here; HEAD goes to Flask, which sends the GET answer's headers."""


class FastPath:
    """WSGI middleware answering GET (and OPTIONS) requests to the API's routes without Flask."""

    def __init__(self, downstream: WsgiApp, service: Service) -> None:
        self.downstream = downstream
        self.service = service

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        found = environ.get("REQUEST_METHOD") in ANSWERED and match(wsgi_path(environ))
        if not found or found[0].signed_in:
            return self.downstream(environ, start_response)
        route, path_params = found
        reply = respond(self.service, route, request_from_environ(environ, path_params))
        start_response(reply.status, reply.headers)
        return [reply.body]
