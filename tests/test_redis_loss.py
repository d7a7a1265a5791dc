"""Losing Redis degrades the production site instead of failing it (issue #16, finding 3).

The test runs a Redis of its own on a free port (never the shared one), gunicorn with the
production settings and two workers against it, kills Redis mid-run, checks that pages,
sessions, sign-in and the tutor still work and that rate limits still count, then starts Redis
again and checks that everything recovers.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.factories import make_tree
from tests.test_production import (
    MANAGE,
    free_port,
    production_env,
    request,
    run,
    start_gunicorn,
)

PASSWORD = "correct horse battery staple"
LESSON = "/courses/black-box/lesson-1/"


def start_redis(port: int, workdir: Path) -> subprocess.Popen:
    server = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port),
         "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            import redis

            if redis.Redis(port=port, socket_connect_timeout=0.2).ping():
                return server
        except redis.ConnectionError:
            time.sleep(0.05)
    server.kill()
    pytest.fail("redis-server did not start")


def on_both_workers(port: int, path: str) -> list[int]:
    """The statuses of two GETs that two different sync workers serve: the first request is
    held half-sent, so the worker that accepted it waits for the rest while the second
    request has to go to the other one."""
    held = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        held.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n".encode())
        time.sleep(0.3)  # a worker has accepted the connection and is reading its headers
        other = request(port, "GET", path)[0]
        held.sendall(b"X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := held.recv(65536):
            reply += chunk
    finally:
        held.close()
    return [int(reply.split(b" ", 2)[1]), other]


class Browser:
    """Keeps cookies across requests to the gunicorn site, as a browser behind the proxy would.
    ``source``: the client's own address (see tests.test_production.request)."""

    def __init__(self, port: int, source: str | None = None) -> None:
        self.port = port
        self.source = source
        self.cookies: dict[str, str] = {}

    def go(self, method: str, path: str, body: str | None = None, headers=None):
        sent = {"Origin": f"https://127.0.0.1:{self.port}", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        status, response_headers, data = request(
            self.port, method, path, body, sent, source=self.source
        )
        for header in response_headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        return status, response_headers, data.decode()

    def csrf(self, path: str) -> str:
        _, _, html = self.go("GET", path)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]

    def sign_in(self, username: str) -> int:
        token = self.csrf("/accounts/login/")
        body = (
            f"csrfmiddlewaretoken={token}&username={username}&password={PASSWORD.replace(' ', '+')}"
        )
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.go("POST", "/accounts/login/", body, form)[0]

    def ask(self) -> int:
        token = self.csrf(LESSON)
        headers = {"Content-Type": "application/json", "X-CSRFToken": token}
        body = json.dumps({"question": "What does superposition mean?"})
        return self.go("POST", f"{LESSON}tutor/", body, headers)[0]


@pytest.fixture
def site(tmp_path):
    redis_port = free_port()
    redis_server = start_redis(redis_port, tmp_path)
    content = make_tree(tmp_path / "content", lessons=1)
    env = production_env(
        tmp_path,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        TUTOR_RATE_LIMIT="5",
        REDIS_RETRY_SECONDS="1",
        CONTENT_DIR=str(content),
    )
    # One process for every setup step: each manage.py start costs about a second.
    setup = (
        "from django.core.management import call_command as c\n"
        "from django.contrib.auth import get_user_model as m\n"
        "c('migrate', '--noinput', verbosity=0); c('import_content', verbosity=0)\n"
        "c('collectstatic', '--noinput', verbosity=0)\n"
        f"[m().objects.create_user(n, n + '@example.org', {PASSWORD!r}) for n in ('ada', 'bo')]"
    )
    result = run([*MANAGE, "shell", "-c", setup], env)
    assert result.returncode == 0, result.stderr
    server, port = start_gunicorn(env, workers=2, log=tmp_path / "gunicorn.log")
    state = {"redis": redis_server}
    yield port, redis_port, tmp_path, state
    server.terminate()
    server.wait(timeout=10)
    state["redis"].terminate()
    state["redis"].wait(timeout=10)


def test_losing_redis_degrades_and_recovers(site):
    port, redis_port, tmp_path, state = site
    reader, learner = Browser(port), Browser(port)
    assert reader.go("GET", LESSON)[0] == 200
    assert learner.sign_in("ada") == 302
    assert learner.go("GET", "/learning/")[0] == 200

    state["redis"].kill()
    state["redis"].wait(timeout=10)

    assert request(port, "GET", "/healthz/")[0] == 503  # the proxy still learns of it
    assert on_both_workers(port, LESSON) == [200, 200]
    assert on_both_workers(port, "/healthz/") == [503, 503]
    for _ in range(4):  # several times, as a learner would
        assert reader.go("GET", LESSON)[0] == 200
        assert reader.go("GET", "/")[0] == 200
        status, _, html = learner.go("GET", "/learning/")  # the session, from the database
        assert status == 200 and "ada" in html
    newcomer = Browser(port)
    assert newcomer.sign_in("bo") == 302
    status, _, html = newcomer.go("GET", "/accounts/")
    assert status == 200 and "bo" in html
    # The tutor answers, and its limit (5 a minute) still counts, in each worker on its own.
    if time.time() % 60 > 55:  # stay inside one fixed one-minute window
        time.sleep(61 - time.time() % 60)
    asked = [learner.ask() for _ in range(14)]
    assert asked[0] == 200 and 5 <= asked.count(200) <= 10 and asked.count(429) >= 4, asked

    state["redis"] = start_redis(redis_port, tmp_path)
    time.sleep(1.1)  # the breaker's retry interval (REDIS_RETRY_SECONDS)
    deadline = time.monotonic() + 10
    while request(port, "GET", "/healthz/")[0] != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert request(port, "GET", "/healthz/")[0] == 200
    assert learner.go("GET", "/learning/")[0] == 200
    # Only a worker that saw Redis fail reports its return, when it next uses the cache, so
    # both workers must run a health check now (asked in turn, or even two at once, a short
    # request can go to the same worker every time; a cached lesson page may not use Redis).
    log_file = tmp_path / "gunicorn.log"
    assert on_both_workers(port, "/healthz/") == [200, 200]
    deadline = time.monotonic() + 5
    while "Redis available again" not in log_file.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)

    log = log_file.read_text()
    assert "Internal Server Error" not in log and "Traceback" not in log, log
    # Logged once per worker while down (not once per request), and once again on recovery.
    assert 1 <= log.count("Redis unavailable") <= 2, log
    assert log.count("Redis available again") >= 1, log
