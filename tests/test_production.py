"""Production settings for real: `check --deploy`, headers from gunicorn, and the tutor's rate
limit shared across gunicorn workers through Redis."""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
MANAGE = [sys.executable, str(BASE_DIR / "manage.py")]
REDIS_URL = "redis://127.0.0.1:6379/14"
SECRET = "production-test-secret-" + "x" * 60


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_production",
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": REDIS_URL,
        **extra,
    }
    env.pop("DEBUG", None)
    # Set for the in-process browser tests only; production must never run with it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=180)


def test_check_deploy_reports_nothing(tmp_path):
    result = run(
        [*MANAGE, "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must list"),
        ("REDIS_URL", "REDIS_URL must be set"),
    ],
)
def test_production_refuses_to_start_without_its_settings(tmp_path, missing, message):
    env = production_env(tmp_path)
    env.pop(missing)
    result = run([*MANAGE, "check"], env)
    assert result.returncode != 0 and message in result.stderr


SIGN_IN_TARGETS = (
    "from django.contrib.auth import get_user_model as m\n"
    "[m().objects.create_user(n, password='right password 123') for n in ('victim', 'target')]"
)


def start_gunicorn(
    env: dict[str, str],
    *,
    workers: int,
    log: Path | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    prefix: tuple[str, ...] = (),
    extra: tuple[str, ...] = (),
):
    """Starts gunicorn on the production settings on ``host:port`` (a free port by default);
    returns (process, port) once /healthz/ answers, or fails the test with what gunicorn
    printed. ``prefix`` runs it inside something, e.g. ("ip", "netns", "exec", name)."""
    port = port or free_port()
    output = log.open("w") if log is not None else subprocess.PIPE
    server = subprocess.Popen(
        [*prefix, str(Path(sys.executable).parent / "gunicorn"), "config.wsgi",
         "--workers", str(workers), "--bind", f"{host}:{port}", "--log-level", "warning", *extra],
        env=env, cwd=BASE_DIR, stdout=output, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    if log is not None:
        output.close()  # gunicorn has its own copy of the file
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if request(port, "GET", "/healthz/", host=host)[0] == 200:
                return server, port
        except OSError:
            time.sleep(0.2)
    server.kill()
    server.wait(timeout=10)
    printed = log.read_text() if log is not None else server.stdout.read()
    pytest.fail(f"gunicorn did not start: {printed}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory):
    """The production site under gunicorn with three workers sharing Redis."""
    tmp_path = tmp_path_factory.mktemp("production")
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except redis.ConnectionError:
        pytest.fail("Redis is not running at 127.0.0.1:6379 (make test starts it when it can).")
    env = production_env(tmp_path, REDIS_URL=REDIS_URL, TUTOR_RATE_LIMIT="5")
    for command in (
        ["migrate", "--noinput"],
        ["import_content"],
        ["collectstatic", "--noinput"],
        ["shell", "-c", SIGN_IN_TARGETS],
    ):
        result = run([*MANAGE, *command], env)
        assert result.returncode == 0, result.stderr
    server, port = start_gunicorn(env, workers=3)
    yield port
    server.terminate()
    server.wait(timeout=10)
    client.flushdb()


def request(
    port: int,
    method: str,
    path: str,
    body: str | None = None,
    headers=None,
    *,
    host: str = "127.0.0.1",
    source: str | None = None,
    timeout: float = 10,
):
    """One request as the TLS-terminating proxy would forward it; ``source`` is the client's
    own address (any of 127.0.0.0/8), for tests that need several clients."""
    connection = http.client.HTTPConnection(
        host, port, timeout=timeout, source_address=(source, 0) if source else None
    )
    sent = {"Host": f"{host}:{port}", "X-Forwarded-Proto": "https", **(headers or {})}
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.headers, data


def assert_security_headers(headers) -> None:
    csp = headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp)[1]
    assert (
        "'self'" in script_src
        and "unsafe-inline" not in script_src
        and "unsafe-eval" not in script_src
    )
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])


def test_lesson_page_json_and_admin_send_the_security_headers(gunicorn):
    for path in ("/courses/inside-the-black-box/superposition/", "/healthz/", "/admin/login/"):
        status, headers, _ = request(gunicorn, "GET", path)
        assert status == 200, path
        assert_security_headers(headers)
    _, headers, body = request(gunicorn, "GET", "/healthz/")
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {"status": "ok", "database": "ok", "cache": "ok"}
    _, headers, _ = request(gunicorn, "GET", "/courses/inside-the-black-box/superposition/")
    assert "Secure" in headers["Set-Cookie"] and "csrftoken" in headers["Set-Cookie"]


def test_plain_http_is_redirected_to_https(gunicorn):
    connection = http.client.HTTPConnection("127.0.0.1", gunicorn, timeout=10)
    connection.request("GET", "/", headers={"Host": f"127.0.0.1:{gunicorn}"})
    response = connection.getresponse()
    assert response.status == 301 and response.headers["Location"].startswith("https://")


def test_static_files_are_hashed_and_compressed(gunicorn):
    _, _, body = request(gunicorn, "GET", "/")
    stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', body)[1].decode()
    status, headers, _ = request(gunicorn, "GET", stylesheet, headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]


def test_rate_limit_holds_across_workers_and_ignores_spoofed_forwarded_for(gunicorn):
    status, headers, body = request(gunicorn, "GET", "/courses/inside-the-black-box/superposition/")
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"])[1]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1].decode()
    if time.time() % 60 > 50:  # stay inside one fixed one-minute window
        time.sleep(61 - time.time() % 60)
    statuses = []
    for attempt in range(8):
        status, headers, _ = request(
            gunicorn,
            "POST",
            "/courses/inside-the-black-box/superposition/tutor/",
            body=json.dumps({"question": "What is superposition?"}),
            headers={
                "Content-Type": "application/json",
                "Cookie": f"csrftoken={cookie}",
                "X-CSRFToken": token,
                "Origin": f"https://127.0.0.1:{gunicorn}",
                "X-Forwarded-For": f"203.0.113.{attempt}",  # spoofed by the client
            },
        )
        statuses.append(status)
        if status == 429:
            assert 1 <= int(headers["Retry-After"]) <= 60
    assert statuses.count(200) == 5 and statuses.count(429) == 3, statuses


def _sign_in_form(port: int) -> tuple[str, str]:
    _, headers, body = request(port, "GET", "/accounts/login/")
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"])[1]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)[1].decode()
    return cookie, token


def _guess(port: int, username: str, cookie: str, token: str) -> int:
    body = f"csrfmiddlewaretoken={token}&username={username}&password=wrong"
    return request(
        port,
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "Origin": f"https://127.0.0.1:{port}",
        },
    )[0]


def test_sign_in_limit_holds_across_workers_one_guess_at_a_time(gunicorn):
    """Issue #16, finding 8: the limit is one count in the database, not one per worker."""
    cookie, token = _sign_in_form(gunicorn)
    statuses = [_guess(gunicorn, "target", cookie, token) for _ in range(12)]
    assert statuses == [200] * 5 + [429] * 7, statuses


def test_parallel_sign_in_guesses_reach_the_password_check_at_most_five_times(gunicorn):
    """Issue #16, finding 1: 40 simultaneous wrong guesses on three workers."""
    from concurrent.futures import ThreadPoolExecutor

    forms = [_sign_in_form(gunicorn) for _ in range(40)]
    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(lambda form: _guess(gunicorn, "victim", *form), forms))
    assert statuses.count(200) <= 5 and statuses.count(429) >= 35, statuses
