"""The gunicorn worker stationmap serves with: gunicorn's sync worker, freed as soon as an
answer is sent, and answering the one refusal a rider's app can meet before the app sees
the request in the API's own JSON.

Freed at once: after every answer gunicorn's sync worker (27) half-closes the connection
and reads from it until the client closes its side or two seconds pass (RFC 9112
section 9.6), so that a client still sending is not reset while it reads the answer. A sync
worker serves one connection at a time: a phone on a slow network, or a client that
simply keeps the connection open, held a worker for up to two seconds after its answer,
and two such clients held both workers of ``stationmap serve``. Under load the wait was
the client's own turn-around (wrk's, in ``scripts/bench_finder.py``) on every request.
This worker closes at once when the client cannot be sending anything more: a request
that declared no body, with nothing read ahead and nothing waiting in the socket. That
is nginx's ``lingering_close on``: linger only when more data may come. A request with a
body, a pipelined one, or any bytes waiting still get gunicorn's lingering close.

gunicorn reads request lines of at most 8,190 bytes (a larger limit is clamped to it;
0 lifts the bound and lets one client burn a worker's CPU) and answers a longer one
itself with an HTML page. Queries up to that length reach the app, which refuses those
over :data:`MAX_QUERY_BYTES` with a JSON 414; this worker gives the longer ones the same
JSON 414 through the same :func:`finish`, so a client sees one kind of answer.
"""

from __future__ import annotations

import fcntl
import socket
import termios
from typing import Any

from gunicorn import util
from gunicorn.http.errors import LimitRequestLine
from gunicorn.workers.sync import SyncWorker

from .answers import MAX_QUERY_BYTES, Request, error_answer, finish

REQUEST_LINE_LIMIT = 8190
"""The longest request line gunicorn reads (its own maximum)."""


class StationmapWorker(SyncWorker):
    """gunicorn's sync worker, free once its answer is sent when the client cannot be
    sending more; a request line too long to read gets the API's JSON 414."""

    def handle_request(self, listener: Any, req: Any, client: socket.socket, addr: Any) -> bool:
        handled = super().handle_request(listener, req, client, addr)  # (None, in gunicorn 27)
        if nothing_more_coming(req, client):
            # gunicorn's lingering close, next, finds the socket closed and does nothing.
            client.close()
        return handled

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


def nothing_more_coming(req: Any, client: socket.socket) -> bool:
    """Whether the client of the answered ``req`` has sent all it will send on ``client``,
    so closing now cannot reset a connection with unread data: the request declared no
    body, gunicorn read nothing past it and nothing is waiting in the socket (the client
    may have closed its side already: closing then is what gunicorn does too)."""
    if any(name in BODY_HEADERS and value.strip() != "0" for name, value in req.headers):
        return False
    if req.unreader.buf.getvalue():  # read ahead: the client is pipelining
        return False
    try:
        waiting = fcntl.ioctl(client.fileno(), termios.FIONREAD, NO_BYTES)
    except OSError:
        return False  # gunicorn's close deals with a broken connection
    return waiting == NO_BYTES


NO_BYTES = bytes(4)
"""FIONREAD's answer (a C int) when nothing is waiting to be read."""


BODY_HEADERS = frozenset({"CONTENT-LENGTH", "TRANSFER-ENCODING"})
"""gunicorn's names (upper case) for the headers that announce a request body."""
