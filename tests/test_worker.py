"""The gunicorn worker `stationmap serve` runs: free as soon as its answer is sent when
the client cannot be sending more, and still lingering (RFC 9112 section 9.6) when it
may be, so that no client's answer is cut off by a reset."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from browser import live_server  # noqa: F401  (the fixture: the app served by gunicorn, 1 worker)
from gunicorn import http
from gunicorn.config import Config

from stationmap.web.worker import nothing_more_coming

NEAREST = "/api/v1/stations/nearest?lon=118.8&lat=32.05&k=3"

HELD_LONGER_THAN_ANSWERING_S = 1.5
"""How long the second rider waits for an answer before the test calls the worker held.
gunicorn's lingering close holds a sync worker for 2 s after an answer to a client that
keeps its connection open; an answer from this server takes milliseconds."""


def _request(path: str, host: str = "localhost") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: rider-app\r\n\r\n".encode()


def _read_until_closed(connection: socket.socket) -> bytes:
    received = b""
    while chunk := connection.recv(65536):
        received += chunk
    return received


def _whole_answer(received: bytes) -> tuple[bytes, bytes]:
    """The status line and the body, after checking the body has all its Content-Length."""
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    lengths = [line[15:] for line in lines if line.lower().startswith(b"content-length:")]
    assert lengths and len(body) == int(lengths[0]), "the answer was cut short"
    return lines[0], body


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    assert parts.hostname and parts.port
    return parts.hostname, parts.port


def test_a_client_that_keeps_its_connection_open_does_not_hold_the_worker(
    live_server,  # noqa: F811
):
    address = _address(live_server.url)
    with socket.create_connection(address, timeout=10) as first:
        first.sendall(_request(NEAREST))
        status, _ = _whole_answer(_read_until_closed(first))
        assert status == b"HTTP/1.1 200 OK"
        # The first rider's phone keeps its connection open; the only worker must
        # already be free for the next rider.
        with socket.create_connection(address, timeout=HELD_LONGER_THAN_ANSWERING_S) as second:
            second.sendall(_request(NEAREST))
            try:
                status, body = _whole_answer(_read_until_closed(second))
            except TimeoutError:
                pytest.fail("the worker was held by a client that kept its connection open")
        assert status == b"HTTP/1.1 200 OK" and b'"features"' in body


def test_a_pipelined_request_does_not_cut_the_answer_short(live_server):  # noqa: F811
    # The server answers one request per connection; closing with the second still
    # unread would reset the connection and could cut off the first answer.
    with socket.create_connection(_address(live_server.url), timeout=10) as connection:
        connection.sendall(_request(NEAREST) + _request(NEAREST))
        status, body = _whole_answer(_read_until_closed(connection))
    assert status == b"HTTP/1.1 200 OK" and body.count(b'"FeatureCollection"') == 1


def test_a_body_the_app_did_not_read_does_not_cut_the_answer_short(live_server):  # noqa: F811
    # A write the API refuses before reading its body (no signed-in user: 401).
    body = b'{"name": "' + b"x" * 200_000 + b'"}'
    head = (
        "POST /api/v1/stations HTTP/1.1\r\nHost: localhost\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    with socket.create_connection(_address(live_server.url), timeout=10) as connection:
        connection.sendall(head.encode() + body)
        status, answer = _whole_answer(_read_until_closed(connection))
    assert status.startswith(b"HTTP/1.1 4") and b'"error"' in answer


# -- when nothing more can come: gunicorn's own parser on a real socket pair ----------


@pytest.fixture
def sockets() -> Iterator[tuple[socket.socket, socket.socket]]:
    """The worker's end and the client's end of one connection."""
    server_end, client_end = socket.socketpair()
    with server_end, client_end:
        yield server_end, client_end


def _parsed(server_end: socket.socket) -> object:
    return next(http.get_parser(Config(), server_end, ("127.0.0.1", 0)))


def test_a_get_with_nothing_after_it_can_be_closed_at_once(sockets):
    server_end, client_end = sockets
    client_end.sendall(_request(NEAREST))
    assert nothing_more_coming(_parsed(server_end), server_end)


def test_a_client_that_has_closed_its_side_can_be_closed_at_once(sockets):
    server_end, client_end = sockets
    client_end.sendall(_request(NEAREST))
    client_end.shutdown(socket.SHUT_WR)
    assert nothing_more_coming(_parsed(server_end), server_end)


@pytest.mark.parametrize(
    "sent",
    [
        pytest.param(_request(NEAREST) * 2, id="a pipelined request"),
        pytest.param(
            b"POST /api/v1/stations HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
            id="a body",
        ),
        pytest.param(
            b"POST /api/v1/stations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
            id="a chunked body",
        ),
    ],
)
def test_a_client_that_may_send_more_gets_the_lingering_close(sockets, sent):
    server_end, client_end = sockets
    client_end.sendall(sent)
    assert not nothing_more_coming(_parsed(server_end), server_end)


def test_bytes_arriving_after_the_request_get_the_lingering_close(sockets):
    server_end, client_end = sockets
    client_end.sendall(_request(NEAREST))
    request = _parsed(server_end)
    client_end.sendall(b"G")
    assert not nothing_more_coming(request, server_end)
