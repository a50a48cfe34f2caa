"""``stationmap serve`` as an operator runs it: real gunicorn servers in their own processes.

Two servers run side by side (as two instances of one user do): each must keep its own
control socket, log in the format it was given, and take the client's address from a
trusted proxy's X-Forwarded-For only when told there is one.
"""

from __future__ import annotations

import logging
import socket
import stat
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from commands import clean_environment, free_port, stationmap_command, stop_process
from gunicorn.config import Config
from gunicorn.glogging import Logger

from stationmap.cli import main
from stationmap.config import ACCESS_LOG_FORMAT, load_settings
from stationmap.web.access_log import AccessLogger
from stationmap.web.server import control_socket_path, gunicorn_options

HOST = "127.0.0.1"
FORWARDED_CLIENT = "203.0.113.9"
"""A documentation address (RFC 5737) standing for a rider's phone behind nginx."""


@dataclass(frozen=True)
class Server:
    """One running ``stationmap serve``."""

    port: int
    log: Path
    process: subprocess.Popen

    def get(self, path: str, headers: dict[str, str] | None = None) -> int:
        """GET ``path`` (never through a proxy); the status."""
        request = urllib.request.Request(f"http://{HOST}:{self.port}{path}", headers=headers or {})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            return response.status

    def log_text(self) -> str:
        """The server's output so far (gunicorn's access log included)."""
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The instance folder two servers share, with a migrated empty database."""
    folder = tmp_path_factory.mktemp("serve")
    _cli(_env(folder), "init-db")
    return folder


@pytest.fixture(scope="module")
def servers(instance: Path) -> Iterator[tuple[Server, Server]]:
    """Two servers of one user on one instance folder: the first configured by settings
    (one trusted proxy, a short log format), the second by ``serve``'s options."""
    first = _start(
        instance,
        "first",
        {"STATIONMAP_TRUST_PROXY": "1", "STATIONMAP_ACCESS_LOG_FORMAT": 'first %(h)s "%(r)s"'},
    )
    second = _start(instance, "second", {}, "--access-log-format", "second %(h)s %(s)s %(M)sms")
    try:
        yield first, second
    finally:
        for server in (first, second):
            stop_process(server.process)


@pytest.mark.slow  # starts servers: seconds each
def test_each_server_has_its_own_control_socket(servers, instance):
    sockets = [control_socket_path(instance, HOST, server.port) for server in servers]
    assert sockets[0] != sockets[1]
    for path, server in zip(sockets, servers, strict=True):
        _wait_for_socket(path, server)  # gunicorn opens it just after its first worker
        assert f"Control socket listening at {path}" in server.log_text()
    assert not (instance / "home" / ".gunicorn").exists()  # gunicorn's shared default


@pytest.mark.slow  # starts servers: seconds each
def test_a_trusted_proxy_gives_the_client_address_in_the_chosen_format(servers):
    first, _ = servers
    assert first.get("/api/v1/", {"X-Forwarded-For": FORWARDED_CLIENT}) == 200
    _wait_for_line(first, f'first {FORWARDED_CLIENT} "GET /api/v1/ HTTP/1.1"')


@pytest.mark.slow  # starts servers: seconds each
def test_without_a_trusted_proxy_a_forwarded_address_is_ignored(servers):
    _, second = servers
    assert second.get("/api/v1/", {"X-Forwarded-For": FORWARDED_CLIENT}) == 200
    line = _wait_for_line(second, f"second {HOST} 200 ")
    assert line.endswith("ms") and FORWARDED_CLIENT not in second.log_text()


@pytest.mark.slow  # starts servers: seconds each
def test_stopping_one_server_leaves_the_others_socket(instance):
    servers = [_start(instance, name, {}) for name in ("third", "fourth")]
    third, fourth = servers
    for server in servers:
        _wait_for_socket(control_socket_path(instance, HOST, server.port), server)
    stop_process(third.process)
    assert not control_socket_path(instance, HOST, third.port).exists()
    assert control_socket_path(instance, HOST, fourth.port).exists()
    stop_process(fourth.process)


def test_the_worker_timeout_comes_from_the_setting_or_the_option():
    settings = load_settings({"STATIONMAP_WORKER_TIMEOUT": "15"})
    assert gunicorn_options(HOST, 5000, 2, settings)["timeout"] == 15
    assert gunicorn_options(HOST, 5000, 2, settings.replace(worker_timeout=90))["timeout"] == 90
    assert gunicorn_options(HOST, 5000, 2, load_settings({}))["timeout"] == 60


def test_a_socket_path_too_long_for_unix_leaves_the_control_socket_out(tmp_path):
    deep = tmp_path.joinpath(*["folder-with-a-long-name"] * 5)
    options = gunicorn_options(HOST, 5000, 2, load_settings({}, {"instance_dir": deep}))
    assert options["control_socket_disable"] is True and "control_socket" not in options


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--timeout", "0"), "0 is not in the range 1<=x<=3600"),
        (("--timeout", "soon"), "'soon' is not a valid integer"),
        (("--access-log-format", "%(h"), "expected a gunicorn access log format"),
        (("--access-log-format", "%(h)d %(r)s"), "expected a gunicorn access log format"),
        (("--access-log-format", "plain words"), "at least one %(NAME)s item"),
        (("--trust-proxy", "-1"), "-1 is not in the range 0<=x<=5"),
        (("--trust-proxy", "nginx"), "'nginx' is not a valid integer"),
    ],
)
def test_bad_serve_options_say_what_is_wrong(args, message, tmp_path, monkeypatch):
    monkeypatch.setenv("STATIONMAP_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    result = CliRunner().invoke(main, ["serve", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.sqlite").exists()  # refused before anything was opened


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ("STATIONMAP_WORKER_TIMEOUT", "0"),
        ("STATIONMAP_WORKER_TIMEOUT", "1m"),
        ("STATIONMAP_TRUST_PROXY", "yes"),
        ("STATIONMAP_ACCESS_LOG_FORMAT", "%(h"),
    ],
)
def test_bad_server_settings_stop_serve_with_one_line(env, value, monkeypatch):
    monkeypatch.setenv(env, value)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.output.startswith(f"error: {env}: got {value!r}, expected")
    assert result.output.count("\n") == 1


def test_an_address_it_cannot_listen_on_is_one_line(monkeypatch, tmp_path):
    monkeypatch.setenv("STATIONMAP_DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        in_use = CliRunner().invoke(main, ["serve", "--port", str(port)])
    unknown = CliRunner().invoke(main, ["serve", "--host", "no such host"])
    for result, reason in ((in_use, "Address already in use"), (unknown, "not known")):
        assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
        assert result.output.startswith("error: cannot listen on") and reason in result.output


def _env(instance: Path) -> dict[str, str]:
    """The environment of a server on ``instance``: its own HOME, no runtime folder (so
    gunicorn's default control socket would be ``HOME/.gunicorn/gunicorn.ctl``)."""
    env = clean_environment(
        HOME=str(instance / "home"),
        STATIONMAP_DATABASE_URL=f"sqlite:///{instance / 'stationmap.sqlite'}",
        STATIONMAP_INSTANCE_DIR=str(instance),
        STATIONMAP_BASEMAP="none",
    )
    env.pop("XDG_RUNTIME_DIR", None)
    return env


def _start(instance: Path, name: str, settings: dict[str, str], *options: str) -> Server:
    """``stationmap serve`` with one worker on a free port, once it answers."""
    port, log = free_port(HOST), instance / f"{name}.log"
    command = [stationmap_command(), "serve", "--host", HOST, "--port", str(port), "--workers", "1"]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*command, *options],
            env=_env(instance) | settings,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(port, log, process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            server.get("/api/v1/")
            return server
        except OSError:
            time.sleep(0.1)
    stop_process(process)
    pytest.fail(f"`stationmap serve` did not answer:\n{server.log_text()[-3000:]}")


def _wait_for_socket(path: Path, server: Server) -> None:
    """Wait until ``path`` is a Unix socket; fail with the server's log if it never is."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if path.exists() and stat.S_ISSOCK(path.stat().st_mode):
            return
        time.sleep(0.05)
    pytest.fail(f"no control socket at {path}:\n{server.log_text()[-3000:]}")


def _wait_for_line(server: Server, start: str) -> str:
    """The access log line that starts with ``start`` (gunicorn writes it just after
    answering)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = [line for line in server.log_text().splitlines() if line.startswith(start)]
        if lines:
            return lines[0]
        time.sleep(0.05)
    pytest.fail(f"no log line starts {start!r}:\n{server.log_text()[-3000:]}")


def _cli(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([stationmap_command(), *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _access_line(logger_class: type, access_log_format: str) -> str:
    """The access line ``logger_class`` writes for one answered nearest request."""
    logger = _logger(logger_class, access_log_format)
    atoms = logger.atoms_wrapper_class(logger.atoms(*_answered_nearest()))
    return access_log_format % atoms


def _logger(logger_class: type, access_log_format: str, **settings: str) -> Logger:
    """``logger_class`` set up as gunicorn sets it up, with a fixed time stamp."""
    config = Config()
    config.set("access_log_format", access_log_format)
    for name, value in settings.items():
        config.set(name, value)
    logger = logger_class(config)
    logger.now = lambda: "[07/Dec/2026:05:30:00 +0000]"  # type: ignore[method-assign]
    return logger


def _close_access_log(logger: Logger) -> None:
    """Close the file handler gunicorn opened (its next set-up drops it unclosed)."""
    for handler in list(logger.access_log.handlers):
        logger.access_log.removeHandler(handler)
        handler.close()


def _answered_nearest() -> tuple[object, object, dict[str, str], timedelta]:
    """gunicorn's response, request, environ and request time for one nearest answer."""
    environ = {
        "REMOTE_ADDR": FORWARDED_CLIENT,
        "REQUEST_METHOD": "GET",
        "RAW_URI": '/api/v1/stations/nearest?lon=116.4&lat=39.9&q="x"',
        "PATH_INFO": "/api/v1/stations/nearest",
        "QUERY_STRING": 'lon=116.4&lat=39.9&q="x"',
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_USER_AGENT": 'rider "app"/1.0',
    }
    request = SimpleNamespace(headers=[("USER-AGENT", 'rider "app"/1.0'), ("HOST", "h")])
    response = SimpleNamespace(
        status="200 OK", sent=3351, headers=[("Content-Type", "application/geo+json")]
    )
    return response, request, environ, timedelta(seconds=1, microseconds=2345)


@pytest.mark.parametrize(
    "access_log_format",
    [
        ACCESS_LOG_FORMAT,
        "%(h)s %(l)s %(u)s %(t)s %(r)s %(s)s %(b)s %(B)s %(f)s %(a)s %(T)s %(D)s %(M)s %(L)s "
        "%(m)s %(U)s %(q)s %(H)s %(p)s %(nope)s",
        "%(h)s %({user-agent}i)s %({content-type}o)s %({raw_uri}e)s %({absent}i)s",
    ],
)
def test_the_access_log_lines_are_gunicorns_own(access_log_format):
    assert _access_line(AccessLogger, access_log_format) == _access_line(Logger, access_log_format)


@pytest.mark.parametrize("access_log_format", [ACCESS_LOG_FORMAT, "%(h)s %({user-agent}i)s"])
def test_the_access_log_file_gets_gunicorns_own_lines(access_log_format, tmp_path, monkeypatch):
    monkeypatch.setattr(logging.getLogger("gunicorn.access"), "handlers", [])  # only gunicorn's
    written = {}
    for logger_class in (AccessLogger, Logger):
        path = tmp_path / f"{logger_class.__name__}.log"
        logger = _logger(logger_class, access_log_format, accesslog=str(path))
        if logger_class is AccessLogger:  # written straight, not through logging
            assert logger.plain_access_handler() is logger.access_log.handlers[0]
        for _ in range(2):
            logger.access(*_answered_nearest())
        _close_access_log(logger)
        written[logger_class] = path.read_text()
    assert written[AccessLogger] == written[Logger] != ""
    assert written[Logger].count("\n") == 2


def test_an_access_log_set_up_otherwise_goes_through_logging(tmp_path, monkeypatch):
    """A filter, or a formatter adding more than the message, is honoured as gunicorn does."""
    monkeypatch.setattr(logging.getLogger("gunicorn.access"), "handlers", [])
    written = {}
    for logger_class in (AccessLogger, Logger):
        path = tmp_path / f"{logger_class.__name__}.log"
        logger = _logger(logger_class, ACCESS_LOG_FORMAT, accesslog=str(path))
        handler = logger.access_log.handlers[0]
        handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
        logger.access(*_answered_nearest())
        handler.addFilter(lambda record: False)
        logger.access(*_answered_nearest())
        _close_access_log(logger)
        written[logger_class] = path.read_text()
    assert written[AccessLogger] == written[Logger]
    assert written[Logger].startswith("INFO ") and written[Logger].count("\n") == 1
