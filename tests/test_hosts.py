"""Two app hosts behind a load balancer, for real (issue #17, item 6; docs/deploy.md, "Several
hosts").

Each host is gunicorn with the production settings inside a network namespace of its own,
joined to the root namespace by a veth link. HAProxy (Debian's package) runs in the root
namespace and balances across both with health checks on /healthz/. Both hosts use one
PostgreSQL database (created and dropped here) and one redis-server started here. The
namespaces share the file system, so the hosts reach PostgreSQL and Redis through their Unix
sockets; what crosses the veth links is the HTTP between the balancer and the hosts.

HAProxy listens on three ports: the balancer itself, and one per host ("via a", "via b") that
sends everything to that host through the same proxy rules, so a test can choose which host
answers. Every response names its host in X-Served-By.

Needs root (ip netns) and haproxy; `make test-hosts` (and `make test`) install haproxy.
"""

from __future__ import annotations

import contextlib
import copy
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from tests.test_production import (
    BASE_DIR,
    MANAGE,
    free_port,
    production_env,
    run,
    start_gunicorn,
)
from tests.test_redis_loss import PASSWORD, Browser

pytestmark = pytest.mark.hosts

NAMESPACE_PREFIX = "glassbox-hosts-"  # + the test process's pid + "-a" / "-b"
DATABASE_PREFIX = "glassbox_hosts_"  # + the test process's pid
IP = shutil.which("ip") or "/usr/sbin/ip"
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
APP_PORT = 8000  # each host has a network stack of its own, so both use it
HOSTS = ("a", "b")
COURSE = "/courses/inside-the-black-box/"
LESSON = f"{COURSE}superposition/"
LOAD_CLIENTS = 3
TUTOR_LIMIT = 5


# ---------------------------------------------------------------------------------------------
# The layout: namespaces, links, database, Redis, hosts and the balancer
# ---------------------------------------------------------------------------------------------
def sh(*args: str) -> str:
    result = subprocess.run(args, capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def namespaces() -> list[str]:
    return [line.split()[0] for line in sh(IP, "netns", "list").splitlines() if line.strip()]


def kill_processes(namespace: str) -> int:
    """SIGKILL to every process in the namespace (a host losing power); how many there were."""
    pids = subprocess.run(
        [IP, "netns", "pids", namespace], capture_output=True, text=True, timeout=30
    ).stdout.split()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
    return len(pids)


def kill_namespace(name: str) -> None:
    """Ends everything running in the namespace and removes it; its veth link goes with it."""
    kill_processes(name)
    subprocess.run([IP, "netns", "delete", name], capture_output=True, timeout=30)


def owner_pid(name: str, prefix: str) -> int | None:
    match = re.fullmatch(re.escape(prefix) + r"(\d+)(?:-[ab])?", name)
    return int(match[1]) if match else None


def remove_leftovers() -> None:
    """What a crashed earlier run left: its namespaces and its database (its pid is gone).
    A run still going (another pid alive) keeps its own."""
    for name in namespaces():
        pid = owner_pid(name, NAMESPACE_PREFIX)
        if pid is not None and not pid_alive(pid):
            kill_namespace(name)
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        names = admin.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [DATABASE_PREFIX + "%"]
        ).fetchall()
        for (name,) in names:
            pid = owner_pid(name, DATABASE_PREFIX)
            if pid is not None and not pid_alive(pid):
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_subnet() -> int:
    """A /24 in 10.201.0.0/16 that no interface uses yet, so two runs never collide."""
    used = sh(IP, "-4", "-o", "addr", "show")
    for third in range(256):
        if f"10.201.{third}." not in used:
            return third
    pytest.fail("no free 10.201.x.0/24 subnet for the test's links")


@dataclass
class Host:
    name: str  # "a" or "b"
    namespace: str
    address: str  # the host's end of its link
    gateway: str  # the root namespace's end: where the balancer's requests come from
    log: Path
    server: subprocess.Popen | None = None


@dataclass
class Cluster:
    balancer: int  # port of the load-balanced frontend
    via: dict[str, int]  # port of the frontend that reaches only that host
    hosts: dict[str, Host]
    env: dict[str, str]
    database: str
    stats_socket: Path
    haproxy_log: Path

    def start_host(self, host: Host) -> None:
        host.server, _ = start_gunicorn(
            self.env,
            workers=2,
            log=host.log,
            host=host.address,
            port=APP_PORT,
            prefix=(IP, "netns", "exec", host.namespace),
            extra=("--forwarded-allow-ips", host.gateway),
        )

    def server_state(self, backend: str, server: str) -> str:
        """HAProxy's view of one server: UP, DOWN, ... (from its stats socket)."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(self.stats_socket))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        for line in data.decode().splitlines():
            fields = line.split(",")
            if fields[:2] == [backend, server]:
                return fields[17].split()[0]  # "status", e.g. "UP" or "DOWN 1/2"
        raise AssertionError(f"HAProxy has no server {backend}/{server}: {data.decode()}")

    def wait_for_state(self, server: str, wanted: str, timeout: float = 30) -> None:
        """Polls HAProxy until it sees the host as ``wanted`` (its stats socket appears once
        HAProxy has started)."""
        deadline = time.monotonic() + timeout
        state = "not started"
        while time.monotonic() < deadline:
            try:
                state = self.server_state("hosts", server)
            except OSError:
                state = "not started"
            if state == wanted:
                return
            time.sleep(0.1)
        log = self.haproxy_log.read_text()
        pytest.fail(f"HAProxy still sees host {server} as {state}, not {wanted}: {log}")

    def attempts(self, username_prefix: str) -> list[str]:
        """The public ids of the attempts stored for these learners."""
        dsn = ADMIN_DSN.replace("dbname=postgres", f"dbname={self.database}")
        with psycopg.connect(dsn) as db:
            rows = db.execute(
                "SELECT a.public_id::text FROM quizzes_attempt a"
                " JOIN auth_user u ON u.id = a.learner_id WHERE u.username LIKE %s",
                [username_prefix + "%"],
            ).fetchall()
        return [public_id for (public_id,) in rows]


HAPROXY_CONFIG = """\
global
    stats socket {stats} mode 600 level admin
    maxconn 512

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    # A connection refused by a dead host is tried again on the other one.
    retries 3
    option redispatch
    option forwardfor

# Each frontend says https, standing in for TLS termination (docs/deploy.md), and names the
# host that answered.
frontend balancer
    bind 127.0.0.1:{balancer}
    http-request set-header X-Forwarded-Proto https
    http-response set-header X-Served-By %[srv_name]
    default_backend hosts

frontend via_a
    bind 127.0.0.1:{via_a}
    http-request set-header X-Forwarded-Proto https
    http-response set-header X-Served-By %[srv_name]
    default_backend only_a

frontend via_b
    bind 127.0.0.1:{via_b}
    http-request set-header X-Forwarded-Proto https
    http-response set-header X-Served-By %[srv_name]
    default_backend only_b

backend hosts
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz/ ver HTTP/1.1 hdr Host 127.0.0.1 \
        hdr X-Forwarded-Proto https
    http-check expect status 200
    default-server check inter 300ms fall 2 rise 2
    server a {a}:{port}
    server b {b}:{port}

backend only_a
    server a {a}:{port}

backend only_b
    server b {b}:{port}
"""


def require_tools() -> tuple[str, str]:
    if os.geteuid() != 0:
        pytest.fail("The two-host test needs root for ip netns: run it as root (CI does).")
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(haproxy).exists():
        pytest.fail("haproxy is missing: `make test-hosts` installs Debian's haproxy package.")
    redis_server = shutil.which("redis-server")
    if redis_server is None:
        pytest.fail("redis-server is missing: `make services` installs it.")
    return haproxy, redis_server


def die_with_the_test() -> None:
    """preexec_fn: the kernel ends this child if the test process dies without cleaning up
    (killed by a CI timeout, say); the next run removes the namespaces such a run left."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def start_unix_redis(redis_server: str, workdir: Path) -> tuple[subprocess.Popen, Path]:
    socket_path = workdir / "redis.sock"
    server = subprocess.Popen(
        [redis_server, "--port", "0", "--unixsocket", str(socket_path), "--unixsocketperm",
         "700", "--save", "", "--appendonly", "no", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=die_with_the_test,
    )  # fmt: skip
    import redis

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if redis.Redis(unix_socket_path=str(socket_path), socket_connect_timeout=0.2).ping():
                return server, socket_path
        except (redis.ConnectionError, FileNotFoundError):
            time.sleep(0.05)
    server.kill()
    pytest.fail("redis-server did not start on its Unix socket")


def stop_host(host: Host) -> None:
    """The test is over: no need for a graceful shutdown."""
    kill_processes(host.namespace)
    if host.server is not None:
        host.server.wait(timeout=10)


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


SETUP = """\
from django.core.management import call_command as c
from django.contrib.auth import get_user_model as m
from django.contrib.auth.hashers import make_password
c('migrate', '--noinput', verbosity=0); c('import_content', verbosity=0)
hashed = make_password({password!r})  # one hash for every account: each costs ~0.5 s
names = ['ada', 'bo', 'target', 'parallel'] + ['load%d' % n for n in range({clients})]
m().objects.bulk_create([m()(username=n, email=n + '@example.org', password=hashed)
                         for n in names])
"""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory) -> Iterator[Cluster]:
    haproxy, redis_binary = require_tools()
    remove_leftovers()
    workdir = tmp_path_factory.mktemp("hosts")
    pid = os.getpid()
    database = f"{DATABASE_PREFIX}{pid}"
    undo: list = []  # run in reverse, whatever happens below
    try:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{database}"')

        def drop_database() -> None:
            with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')

        undo.append(drop_database)

        redis_server, redis_socket = start_unix_redis(redis_binary, workdir)
        undo.append(lambda: stop(redis_server))

        subnet = free_subnet()
        hosts = {}
        for index, name in enumerate(HOSTS):
            namespace = f"{NAMESPACE_PREFIX}{pid}-{name}"
            link = f"gbx{pid}{name}"  # interface names: at most 15 characters
            gateway, address = (
                f"10.201.{subnet}.{4 * index + 1}",
                f"10.201.{subnet}.{4 * index + 2}",
            )
            sh(IP, "netns", "add", namespace)
            undo.append(lambda namespace=namespace: kill_namespace(namespace))
            sh(IP, "link", "add", link, "type", "veth", "peer", "name", "eth0", "netns", namespace)
            sh(IP, "addr", "add", f"{gateway}/30", "dev", link)
            sh(IP, "link", "set", link, "up")
            inside = (IP, "netns", "exec", namespace, "ip")
            sh(*inside, "addr", "add", f"{address}/30", "dev", "eth0")
            sh(*inside, "link", "set", "eth0", "up")
            sh(*inside, "link", "set", "lo", "up")
            hosts[name] = Host(name, namespace, address, gateway, workdir / f"host-{name}.log")

        env = production_env(
            workdir,
            DATABASE_URL=f"postgres://postgres@%2Fvar%2Frun%2Fpostgresql/{database}",
            REDIS_URL=f"unix://{redis_socket}?db=0",
            # The balancer's name, and each host's own address for the readiness check.
            ALLOWED_HOSTS=",".join(["127.0.0.1", *(host.address for host in hosts.values())]),
            TRUSTED_PROXY_COUNT="1",
            TUTOR_RATE_LIMIT=str(TUTOR_LIMIT),
            CONTENT_DIR=str(BASE_DIR / "content"),
        )
        # collectstatic needs no database: it runs beside the database's setup.
        collecting = subprocess.Popen(
            [*MANAGE, "collectstatic", "--noinput", "-v0"], env=env, cwd=BASE_DIR,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        result = run(
            [*MANAGE, "shell", "-c", SETUP.format(password=PASSWORD, clients=LOAD_CLIENTS)], env
        )
        collected = collecting.communicate(timeout=180)[0]
        assert result.returncode == 0, result.stderr
        assert collecting.returncode == 0, collected

        ports = {"balancer": free_port(), "via_a": free_port(), "via_b": free_port()}
        config = workdir / "haproxy.cfg"
        stats = workdir / "haproxy.sock"
        config.write_text(
            HAPROXY_CONFIG.format(
                stats=stats, port=APP_PORT, a=hosts["a"].address, b=hosts["b"].address, **ports
            )
        )
        checked = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True)
        assert checked.returncode == 0, checked.stderr.decode()

        cluster = Cluster(
            balancer=ports["balancer"],
            via={"a": ports["via_a"], "b": ports["via_b"]},
            hosts=hosts,
            env=env,
            database=database,
            stats_socket=stats,
            haproxy_log=workdir / "haproxy.log",
        )
        for host in hosts.values():
            undo.append(lambda host=host: stop_host(host))
        with ThreadPoolExecutor(max_workers=len(hosts)) as pool:
            list(pool.map(cluster.start_host, hosts.values()))
        with cluster.haproxy_log.open("w") as log:
            balancer = subprocess.Popen(
                [haproxy, "-db", "-f", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_the_test,
            )
        undo.append(lambda: stop(balancer))
        for name in HOSTS:
            cluster.wait_for_state(name, "UP")
        yield cluster
    finally:
        errors = []
        for step in reversed(undo):
            try:
                step()
            except Exception as error:  # every step runs; the first failure is reported
                errors.append(error)
        if errors:
            raise errors[0]


# ---------------------------------------------------------------------------------------------
# A browser that can enter through the balancer or through one chosen host
# ---------------------------------------------------------------------------------------------
class Client(Browser):
    def on(self, port: int) -> Client:
        """The same browser (the same cookies) entering through another port."""
        view = copy.copy(self)
        view.port = port
        return view

    def served_by(self, path: str = "/healthz/") -> str:
        return self.go("GET", path)[1]["X-Served-By"]

    def json(self, method: str, path: str, payload: dict, csrf_from: str = LESSON):
        token = self.csrf(csrf_from)
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": token,
        }
        status, response_headers, body = self.go(method, path, json.dumps(payload), headers)
        return status, response_headers, body

    def quiz_form(self) -> tuple[str, str]:
        """The lesson's quiz as this browser gets it: (form body answering every question with
        its first option, the token's nonce)."""
        _, _, html = self.go("GET", LESSON)
        return quiz_body(html)

    def submit(self, body: str) -> tuple[int, str, dict | None]:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        }
        status, response_headers, text = self.go("POST", f"{LESSON}quiz/", body, headers)
        data = json.loads(text) if status == 200 else None
        return status, response_headers.get("X-Served-By", ""), data


def quiz_body(html: str) -> tuple[str, str]:
    from urllib.parse import urlencode

    token = re.search(r'name="token" value="([^"]+)"', html)[1]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    first: dict[str, str] = {}
    for match in re.finditer(
        r'type="(?:radio|checkbox)" id="[^"]+" name="(q\d+)" value="([0-9a-f]{16})"', html
    ):
        first.setdefault(match[1], match[2])
    assert first, "the lesson page shows no quiz"
    return urlencode({"csrfmiddlewaretoken": csrf, "token": token, **first}), token


def signed_in(cluster: Cluster, username: str, *, port: int | None = None, source=None):
    client = Client(port or cluster.balancer, source=source)
    assert client.sign_in(username) == 302
    return client


# ---------------------------------------------------------------------------------------------
# The checks
# ---------------------------------------------------------------------------------------------
def test_the_balancer_uses_both_hosts(cluster):
    client = Client(cluster.balancer)
    served = {client.served_by() for _ in range(6)}
    assert served == {"a", "b"}
    assert Client(cluster.via["a"]).served_by() == "a"
    assert Client(cluster.via["b"]).served_by() == "b"


def test_a_session_started_on_one_host_holds_on_the_other(cluster):
    ada = signed_in(cluster, "ada", port=cluster.via["a"])
    status, _, html = ada.on(cluster.via["b"]).go("GET", "/accounts/")
    assert status == 200 and "ada" in html
    # Signing out through b ends the session on a too.
    token = ada.on(cluster.via["b"]).csrf("/accounts/")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    logout = ada.on(cluster.via["b"]).go(
        "POST", "/accounts/logout/", f"csrfmiddlewaretoken={token}", form
    )
    assert logout[0] == 302
    status, headers, _ = ada.on(cluster.via["a"]).go("GET", "/learning/")
    assert status == 302 and "/accounts/login/" in headers["Location"]


def test_progress_and_attempts_written_on_one_host_are_read_on_the_other(cluster):
    ada = signed_in(cluster, "ada", port=cluster.via["a"])
    on_a, on_b = ada.on(cluster.via["a"]), ada.on(cluster.via["b"])
    body, _ = on_a.quiz_form()
    status, served, result = on_a.submit(body)
    assert status == 200 and served == "a", (status, result)

    # The attempt's own page, which only its learner may see, from b.
    assert on_b.go("GET", result["url"])[0] == 200
    _, _, lesson = on_a.go("GET", LESSON)
    anchor = re.search(r'data-section="([^"]+)"', lesson)[1]
    began = (datetime.now(UTC) - timedelta(hours=1)).isoformat()  # time enough to read it
    ref = "inside-the-black-box/superposition"
    sent = {"lessons": {ref: {"sections_read": [anchor], "started_at": began}}}
    status, _, text = on_a.json("POST", "/progress/sync/", sent)
    assert status == 200, text
    status, _, text = on_b.json("POST", "/progress/sync/", {})
    state = json.loads(text)["lessons"][ref]
    assert status == 200 and anchor in state["sections_read"]
    assert (state["latest_score"], state["latest_total"]) == (result["score"], result["total"])
    status, _, html = on_b.go("GET", "/learning/")
    assert status == 200 and "Superposition" in html


def ask_tutor(client: Client, token: str, headers=None) -> int:
    question = json.dumps({"question": "What does superposition mean?"})
    sent = {"Content-Type": "application/json", "X-CSRFToken": token, **(headers or {})}
    return client.go("POST", f"{LESSON}tutor/", question, sent)[0]


def test_the_tutor_limit_is_exact_across_hosts(cluster):
    """One learner at one address, asking through either host: exactly TUTOR_LIMIT answers a
    minute. The address is the one the balancer saw (TRUSTED_PROXY_COUNT=1), so another
    session from that address is refused too and a client elsewhere is not; what a client
    writes into X-Forwarded-For changes nothing. Asked all at once over both hosts, too."""
    asker = signed_in(cluster, "bo", port=cluster.via["a"], source="127.0.0.21")
    token = asker.csrf(LESSON)  # one CSRF token serves both hosts (one SECRET_KEY)
    same_address = Client(cluster.via["b"], source="127.0.0.21")
    elsewhere = Client(cluster.via["a"], source="127.0.0.22")
    crowd = [Client(cluster.balancer, source="127.0.0.23") for _ in range(TUTOR_LIMIT + 7)]
    tokens = {client: client.csrf(LESSON) for client in [same_address, elsewhere, *crowd]}
    if time.time() % 60 > 50:  # the limit counts in fixed one-minute windows: start a fresh one
        time.sleep(61 - time.time() % 60)

    statuses = [
        ask_tutor(
            asker.on(cluster.via[HOSTS[number % 2]]),
            token,
            {"X-Forwarded-For": f"198.51.100.{number}"},
        )
        for number in range(TUTOR_LIMIT + 3)
    ]
    assert statuses == [200] * TUTOR_LIMIT + [429] * 3, statuses
    assert ask_tutor(same_address, tokens[same_address]) == 429
    assert ask_tutor(elsewhere, tokens[elsewhere]) == 200
    with ThreadPoolExecutor(max_workers=len(crowd)) as pool:
        at_once = list(pool.map(ask_tutor, crowd, [tokens[client] for client in crowd]))
    assert sorted(at_once) == [200] * TUTOR_LIMIT + [429] * 7, at_once


def guess(client: Client, username: str, token: str) -> int:
    body = f"csrfmiddlewaretoken={token}&username={username}&password=wrong"
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    return client.go("POST", "/accounts/login/", body, form)[0]


def test_the_sign_in_limit_is_exact_across_hosts(cluster):
    """Five wrong passwords for one account, then a lock-out, whichever host each guess
    reaches (django-axes counts in the shared database, under a lock)."""
    guesser = Client(cluster.via["a"], source="127.0.0.31")
    token = guesser.csrf("/accounts/login/")
    statuses = [
        guess(guesser.on(cluster.via[HOSTS[number % 2]]), "target", token) for number in range(9)
    ]
    assert statuses == [200] * 5 + [429] * 4, statuses
    # Locked out on both hosts, even with the right password.
    for name in HOSTS:
        assert Client(cluster.via[name], source="127.0.0.32").sign_in("target") == 429


def test_simultaneous_guesses_through_the_balancer_reach_the_check_five_times(cluster):
    """20 wrong passwords for one account at once, spread over both hosts and their workers:
    exactly five are checked, the rest are refused."""
    guessers = [Client(cluster.balancer, source="127.0.0.33") for _ in range(20)]
    tokens = [guesser.csrf("/accounts/login/") for guesser in guessers]
    with ThreadPoolExecutor(max_workers=len(guessers)) as pool:
        statuses = list(pool.map(guess, guessers, ["parallel"] * len(guessers), tokens))
    assert sorted(statuses) == [200] * 5 + [429] * 15, statuses


def search_results(client: Client, query: str) -> str:
    """The results part of the page: the count, each lesson card and its passage."""
    status, _, html = client.go("GET", f"/search/?q={query}")
    assert status == 200
    return html.split('<div id="search-results"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("query", ["superposition", "sparse autoencoder", "steering+vector"])
def test_search_results_are_the_same_from_both_hosts(cluster, query):
    # Each query asked of a different host first, so neither only reads the other's cached page.
    first, second = HOSTS if query != "sparse autoencoder" else reversed(HOSTS)
    from_first = search_results(Client(cluster.via[first]), query.replace(" ", "+"))
    from_second = search_results(Client(cluster.via[second]), query.replace(" ", "+"))
    assert 'class="card search-hit"' in from_first and "<mark>" in from_first
    assert from_first == from_second


@dataclass
class LoadClient:
    """A learner submitting quiz attempts through the balancer, as fast as it can.

    Each submission carries the form's one-time token. When the balancer answers 502/503/504
    or the connection fails, the client sends the same form again (a browser's retry): the
    token makes that safe, since a token already used returns the attempt it recorded.
    """

    client: Client
    confirmed: dict[str, str] = field(default_factory=dict)  # token nonce -> attempt id
    served: list[tuple[float, str]] = field(default_factory=list)  # (time, host) per success
    retried: int = 0
    failures: list[str] = field(default_factory=list)

    def submit_one(self, deadline: float) -> None:
        while True:
            try:
                body, token = self.client.quiz_form()
                break
            except (OSError, http.client.HTTPException, TypeError) as error:  # no page
                self.retried += 1
                if time.monotonic() > deadline:
                    self.failures.append(f"lesson page: {error!r}")
                    return
        while True:
            try:
                status, served, result = self.client.submit(body)
            except (OSError, http.client.HTTPException) as error:  # connection lost
                status, served, result = None, "", repr(error)
            if status == 200:
                self.confirmed[token] = result["attempt"]
                self.served.append((time.monotonic(), served))
                return
            if status not in (None, 502, 503, 504) or time.monotonic() > deadline:
                self.failures.append(f"{status}: {result}")
                return
            self.retried += 1


def test_killing_a_host_under_load_loses_no_attempt(cluster):
    """Every attempt a client saw confirmed is stored, once; the balancer moves all traffic to
    the surviving host; the killed host, restarted, takes traffic again."""
    clients = [
        LoadClient(signed_in(cluster, f"load{n}", source=f"127.0.0.{41 + n}"))
        for n in range(LOAD_CLIENTS)
    ]
    stop_load = threading.Event()
    deadline = time.monotonic() + 120

    def work(load: LoadClient) -> None:
        while not stop_load.is_set() and time.monotonic() < deadline:
            load.submit_one(deadline)

    with ThreadPoolExecutor(max_workers=LOAD_CLIENTS) as pool:
        running = [pool.submit(work, load) for load in clients]
        # Kill host a once both hosts have confirmed attempts and every client has some.
        while not (
            {"a", "b"} <= {host for load in clients for _, host in load.served}
            and all(len(load.confirmed) >= 3 for load in clients)
        ):
            assert time.monotonic() < deadline
            for future in running:
                if future.done():
                    future.result()  # raises what stopped it
                    pytest.fail("a load client stopped early")
            time.sleep(0.05)
        assert kill_processes(cluster.hosts["a"].namespace), "nothing ran on host a"
        cluster.hosts["a"].server.wait(timeout=10)
        killed_at = time.monotonic()
        cluster.wait_for_state("a", "DOWN")
        marked_down_at = time.monotonic()
        # Keep the load on until every client has had a few more attempts confirmed.
        counts = [len(load.confirmed) for load in clients]
        while not all(
            len(load.confirmed) >= c + 5 for load, c in zip(clients, counts, strict=True)
        ):
            assert time.monotonic() < deadline
            for future in running:
                if future.done():
                    future.result()  # raises what stopped it
                    pytest.fail("a load client stopped early")
            time.sleep(0.05)
        stop_load.set()
        for future in running:
            future.result()

    assert not [f for load in clients for f in load.failures], [load.failures for load in clients]
    confirmed = [attempt for load in clients for attempt in load.confirmed.values()]
    # Every form submitted was confirmed in the end (no failures above), each token's attempt
    # once: so the stored attempts are exactly the confirmed ones, none lost, none doubled.
    assert sorted(cluster.attempts("load")) == sorted(confirmed)
    assert len(set(confirmed)) == len(confirmed)
    # Once HAProxy saw host a down, only host b answered.
    after = [host for load in clients for when, host in load.served if when > marked_down_at]
    assert after and set(after) == {"b"}, after
    print(
        f"\n{len(confirmed)} attempts confirmed, all stored; {sum(c.retried for c in clients)} "
        f"retried; host a marked down {marked_down_at - killed_at:.2f} s after the kill"
    )

    # The host comes back: restarted, it is checked UP and takes traffic again.
    cluster.start_host(cluster.hosts["a"])
    cluster.wait_for_state("a", "UP")
    client = Client(cluster.balancer)
    assert {client.served_by() for _ in range(6)} == {"a", "b"}
