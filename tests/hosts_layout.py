"""The two-host layout of tests/test_hosts.py, built and torn down for real.

Two network namespaces, each joined to the root namespace by a veth link and running one app
host (gunicorn, production settings); HAProxy from Debian's package in the root namespace in
front of them with health checks; one PostgreSQL database and one redis-server for both,
reached through their Unix sockets (the namespaces share the file system). docs/deploy.md,
"Several hosts, tested", has the diagram. Needs root (ip netns).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
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

NAMESPACE_PREFIX = "glassbox-hosts-"  # + the test process's pid + "-a" / "-b"
DATABASE_PREFIX = "glassbox_hosts_"  # + the test process's pid
IP = shutil.which("ip") or "/usr/sbin/ip"
ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
APP_PORT = 8000  # each host has a network stack of its own, so both use it
HOSTS = ("a", "b")


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
            drop_database(name)


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
    # A busy host answers slowly; a dead one refuses at once, so a long timeout costs nothing.
    timeout check 5s
    default-server check inter 500ms fall 2 rise 2
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
m().objects.bulk_create([m()(username=n, email=n + '@example.org', password=hashed)
                         for n in {usernames!r}])
"""


@contextlib.contextmanager
def two_hosts(
    workdir: Path, *, usernames: list[str], password: str, **settings: str
) -> Iterator[Cluster]:
    """The whole layout, with these accounts and extra production ``settings``; everything
    it started or made is ended or removed on the way out, whatever happened."""
    haproxy, redis_binary = require_tools()
    remove_leftovers()
    pid = os.getpid()
    database = f"{DATABASE_PREFIX}{pid}"
    with contextlib.ExitStack() as undo:  # undoes in reverse order, every step
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{database}"')
        undo.callback(drop_database, database)

        redis_server, redis_socket = start_unix_redis(redis_binary, workdir)
        undo.callback(stop, redis_server)

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
            undo.callback(kill_namespace, namespace)
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
            CONTENT_DIR=str(BASE_DIR / "content"),
            **settings,
        )
        # collectstatic needs no database: it runs beside the database's setup.
        collecting = subprocess.Popen(
            [*MANAGE, "collectstatic", "--noinput", "-v0"], env=env, cwd=BASE_DIR,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        setup = SETUP.format(password=password, usernames=usernames)
        result = run([*MANAGE, "shell", "-c", setup], env)
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
            undo.callback(stop_host, host)
        with ThreadPoolExecutor(max_workers=len(hosts)) as pool:
            list(pool.map(cluster.start_host, hosts.values()))
        with cluster.haproxy_log.open("w") as log:
            balancer = subprocess.Popen(
                [haproxy, "-db", "-f", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_the_test,
            )
        undo.callback(stop, balancer)
        for name in HOSTS:
            cluster.wait_for_state(name, "UP")
        yield cluster


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
