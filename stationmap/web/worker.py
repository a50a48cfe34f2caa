"""The gunicorn worker stationmap serves with: gunicorn's sync worker, answering the one
refusal a rider's app can meet before the app sees the request in the API's own JSON.

gunicorn reads request lines of at most 8,190 bytes (a larger limit is clamped to it;
0 lifts the bound and lets one client burn a worker's CPU) and answers a longer one
itself with an HTML page. Queries up to that length reach the app, which refuses those
over :data:`MAX_QUERY_BYTES` with a JSON 414; this worker gives the longer ones the same
JSON 414 through the same :func:`finish`, so a client sees one kind of answer.
"""

from __future__ import annotations

from typing import Any

from gunicorn import util
from gunicorn.http.errors import LimitRequestLine
from gunicorn.workers.sync import SyncWorker

from .answers import MAX_QUERY_BYTES, Request, error_answer, finish

REQUEST_LINE_LIMIT = 8190
"""The longest request line gunicorn reads (its own maximum)."""


class StationmapWorker(SyncWorker):
    """gunicorn's sync worker; a request line too long to read gets the API's JSON 414."""

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        if not isinstance(exc, LimitRequestLine):
            super().handle_error(req, client, addr, exc)
            return
        self.log.warning("request line from %s too long to read: %s", (addr or ("",))[0], exc)
        try:
            util.write_nonblock(client, too_long_reply())
        except OSError:
            self.log.debug("could not send the 414 to %s", addr)


def too_long_reply() -> bytes:
    """The whole HTTP response for a request line gunicorn will not read."""
    answer = error_answer(
        414,
        "uri_too_long",
        f"the request line is longer than the {REQUEST_LINE_LIMIT} bytes the server reads; "
        f"expected a query string of at most {MAX_QUERY_BYTES} bytes: send only the "
        "parameters the endpoint takes",
    )
    reply = finish(Request("GET", "", {}), answer)
    head = [f"HTTP/1.1 {reply.status.split(' ', 1)[0]} URI Too Long", "Connection: close"]
    head += [f"{name}: {value}" for name, value in reply.headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body
