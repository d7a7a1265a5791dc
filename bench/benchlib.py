"""Helpers shared by the benchmarks: paths, subprocesses, timing, servers and the report.

Everything here is standard library only, so `bench/run.py --help` works before
`pip install -r bench/requirements.txt`.
"""

from __future__ import annotations

import contextlib
import difflib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
PYTHON = sys.executable
MANAGE = str(ROOT / "manage.py")
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))


# ---------------------------------------------------------------------------------------------
# Settings module and environment
# ---------------------------------------------------------------------------------------------
def production_settings_available() -> bool:
    return (ROOT / "config" / "settings_production.py").exists()


def base_settings_module() -> str:
    return "config.settings_production" if production_settings_available() else "config.settings"


def django_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment for a Django subprocess: the given database, debug off, no rate limit.

    Variables of the caller that would point the app elsewhere are dropped.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "DJANGO_SETTINGS_MODULE",
            "CONTENT_DIR",
            "REDIS_URL",
            "DEBUG",
            "BENCH_BASE_SETTINGS",
            "BENCH_STATIC_ROOT",
            "BENCH_EXTRA_STATIC",
        }
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "TUTOR_RATE_LIMIT": "0",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONHASHSEED": "0",
        }
    )
    if production_settings_available():
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings_production",
                "SECRET_KEY": "glassbox-bench-secret-key-not-for-real-use-0123456789abcdef",
                "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
                "SECURE_SSL_REDIRECT": "0",
                # Plain HTTP on localhost: cookies marked Secure would never come back.
                "SECURE_COOKIES": "0",
                "SECURE_HSTS_SECONDS": "0",
                # Runs without Redis measure the site as it is; limits are off here anyway.
                "RATE_LIMITS_PER_PROCESS": "1",
            }
        )
    env.update(extra)
    return env


def with_static_wrapper(env: dict[str, str], static_root: Path, extra_static: Path) -> dict:
    """Same settings plus a temporary STATIC_ROOT and one extra static folder (see
    bench/bench_settings.py), so a file of a chosen size can be served like site.css."""
    env = dict(env)
    env["BENCH_BASE_SETTINGS"] = env["DJANGO_SETTINGS_MODULE"]
    env["DJANGO_SETTINGS_MODULE"] = "bench.bench_settings"
    env["BENCH_STATIC_ROOT"] = str(static_root)
    env["BENCH_EXTRA_STATIC"] = str(extra_static)
    return env


def prepare_site(tmp: Path, database_url: str, **extra: str) -> dict[str, str]:
    """A database with the shipped content imported and static files collected into ``tmp``.

    Returns the environment for manage.py, gunicorn and django_tasks.py (the site's settings
    through bench/bench_settings.py, so STATIC_ROOT is a temporary folder).
    """
    static_root, extra_static = tmp / "static_root", tmp / "extra_static"
    extra_static.mkdir(parents=True, exist_ok=True)
    env = with_static_wrapper(django_env(database_url, **extra), static_root, extra_static)
    manage("migrate", "--noinput", env=env)
    manage("import_content", env=env)
    manage("collectstatic", "--noinput", "-v0", env=env)
    return env


def reads_redis_url() -> bool:
    """Does the settings module turn REDIS_URL into a Redis cache? (Read, not guessed.)"""
    env = django_env(
        "sqlite:////tmp/glassbox-bench-probe.sqlite3", REDIS_URL="redis://127.0.0.1:6379/5"
    )
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.CACHES.get('default', {}).get('BACKEND', ''))"
    )
    result = subprocess.run(  # noqa: S603
        [PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    return result.returncode == 0 and "redis" in result.stdout.lower()


# ---------------------------------------------------------------------------------------------
# Subprocesses
# ---------------------------------------------------------------------------------------------
class BenchError(RuntimeError):
    pass


def run_cmd(
    args: Sequence[str], env: dict[str, str] | None = None, *, timeout: float = 900
) -> tuple[float, str]:
    """Runs a command to completion; returns (wall seconds, stdout). Raises on failure."""
    start = time.perf_counter()
    result = subprocess.run(  # noqa: S603
        list(args),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        tail = (result.stderr or result.stdout)[-3000:]
        raise BenchError(f"{' '.join(args[:4])} ... exited {result.returncode}:\n{tail}")
    return elapsed, result.stdout


# PostgreSQL's maintenance database, from which the benchmarks create and drop their own.
PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"


def admin_sql(sql: str) -> None:
    """Runs one statement on the maintenance database (psql when installed, else psycopg)."""
    if shutil.which("psql"):
        run_cmd(["psql", PG_ADMIN_URL, "-v", "ON_ERROR_STOP=1", "-qc", sql])
        return
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def optional_postgres(name: str, part: str) -> Iterator[str | None]:
    """A fresh PostgreSQL database ``name`` at 127.0.0.1 (one of that name dropped first), its
    URL, dropped afterwards; None, and the log says so, when no PostgreSQL answers (the part's
    SQLite figures still stand)."""
    try:
        admin_sql(f"DROP DATABASE IF EXISTS {name}")
        admin_sql(f"CREATE DATABASE {name}")
    except Exception as error:  # no server, no client
        log(f"{part}: PostgreSQL skipped ({type(error).__name__})")
        yield None
        return
    try:
        yield f"postgres://postgres@127.0.0.1:5432/{name}"
    finally:
        admin_sql(f"DROP DATABASE IF EXISTS {name}")


def manage(*args: str, env: dict[str, str], timeout: float = 900) -> tuple[float, str]:
    return run_cmd([PYTHON, MANAGE, *args], env, timeout=timeout)


def prepare_checkout(tree, env: dict[str, str]) -> None:
    """Another checkout's database made ready by that checkout's own manage.py: migrated, the
    content imported, static files collected (what the compare_* scripts measure against)."""
    for command in (("migrate", "--noinput"), ("import_content",), ("collectstatic", "--noinput")):
        subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
            [PYTHON, "manage.py", *command], cwd=tree, env=env, check=True, capture_output=True
        )


# Source for a measuring script (after django.setup()): the CPU seconds the PostgreSQL backend
# of Django's default connection has spent, read from /proc (so PostgreSQL must run on this
# machine); 0 on SQLite. Needs a connection that lives through the measurement (CONN_MAX_AGE).
BACKEND_SECONDS = r"""
def backend_seconds():
    from django.db import connection
    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
"""
# Source for a measuring script: the WSGI environ of an anonymous GET from 127.0.0.1, as the
# measuring scripts send their requests through Django's WSGI handler.
WSGI_GET = r"""
def wsgi_get(path, query):
    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http"}
"""
# The start of every CPU comparison's measuring script, run in a checkout's folder: Django set
# up with the environment's settings, and BACKEND_SECONDS.
MEASURE_PREAMBLE = (
    r"""
import io, json, os, sys, time
sys.path.insert(0, os.getcwd())
import django
django.setup()
"""
    + BACKEND_SECONDS
)


@contextlib.contextmanager
def comparison_env(work: Path, *, postgres: bool) -> Iterator[dict[str, str]]:
    """The Django environment of a CPU comparison of two checkouts: a SQLite file in ``work``,
    or with ``postgres`` a fresh PostgreSQL database at 127.0.0.1, dropped afterwards, whose one
    connection lasts a round (CONN_MAX_AGE), so BACKEND_SECONDS counts all its backend did."""
    database = f"compare_{work.name.replace('-', '_')}"
    if postgres:
        admin_sql(f"CREATE DATABASE {database}")
        url, extra = f"postgres://postgres@127.0.0.1:5432/{database}", {"CONN_MAX_AGE": "3600"}
    else:
        url, extra = f"sqlite:///{work / 'db.sqlite3'}", {}
    env = django_env(url, LOG_LEVEL="WARNING", **extra)
    env["STATIC_ROOT"] = str(work / "static")
    try:
        yield env
    finally:
        if postgres:
            admin_sql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")


def alternate_checkouts(
    trees: dict[str, Path],
    env: dict[str, str],
    script: str,
    *args: str,
    seed: Sequence[str] = (),
) -> dict[str, list[dict]]:
    """Runs ``script`` (Python source printing one JSON line last) in each checkout, rounds
    alternating old, new, new, old, old, new, on one database into which the new checkout
    migrated and imported ``env``'s content (then ran ``bench/django_tasks.py *seed``, if
    given): the CPU comparisons of two checkouts in one run."""
    for command in (("migrate", "--noinput"), ("import_content",), ("collectstatic", "--noinput")):
        subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
            [PYTHON, "manage.py", *command], cwd=trees["new"], env=env, check=True,
            capture_output=True,
        )  # fmt: skip
    if seed:
        subprocess.run(  # noqa: S603 (our own script with the caller's arguments)
            [PYTHON, "bench/django_tasks.py", *seed], cwd=trees["new"], env=env, check=True,
            capture_output=True,
        )  # fmt: skip
    results: dict[str, list[dict]] = {name: [] for name in trees}
    for name in ("old", "new", "new", "old", "old", "new"):
        done = subprocess.run(  # noqa: S603
            [PYTHON, "-c", script, *args], cwd=trees[name], env=env, check=True,
            capture_output=True, text=True,
        )  # fmt: skip
        results[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(name, results[name][-1], flush=True)
    return results


def exit_on_first_difference(before: list[dict], after: list[dict]) -> None:
    """Compares two checkouts' pages (dicts with name, status, headers, cookies and body) in
    order; at the first part that differs, prints it as a short diff and exits with status 1."""
    for a, b in zip(before, after, strict=True):
        for part in ("status", "headers", "cookies", "body"):
            if a[part] != b[part]:
                print(f"{a['name']}: the {part} differs")
                left = json.dumps(a[part], indent=1) if part != "body" else a[part]
                right = json.dumps(b[part], indent=1) if part != "body" else b[part]
                diff = difflib.unified_diff(
                    left.splitlines(), right.splitlines(), "old", "new", lineterm="", n=1
                )
                print("\n".join(list(diff)[:40]))
                sys.exit(1)


def django_task(task: str, *args: str, env: dict[str, str], timeout: float = 900) -> dict:
    """Runs bench/django_tasks.py TASK in a subprocess; returns the JSON it prints last."""
    _, out = run_cmd(
        [PYTHON, str(BENCH_DIR / "django_tasks.py"), task, *args], env, timeout=timeout
    )
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError(f"django_tasks {task} printed no JSON:\n{out[-2000:]}")
    return json.loads(lines[-1])


# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (localhost)
                response.read()
                return
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            last = error
            time.sleep(0.2)
    raise BenchError(f"{url} did not answer within {timeout:.0f} s: {last}")


def fetch(url: str, cookie: str = "") -> tuple[int, bytes]:
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (http://127.0.0.1)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def sign_in(base: str, username: str, password: str) -> str:
    """Signs in through the login form like a browser; returns the Cookie header to send."""
    import http.cookiejar
    import re
    from urllib.parse import urlencode

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base}/accounts/login/", timeout=10) as response:
        form = response.read().decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    if not match:
        raise BenchError("the sign-in page has no CSRF token")
    data = urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1)
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    with opener.open(request, timeout=30) as response:
        response.read()
    cookies = {cookie.name: cookie.value for cookie in jar}
    if "sessionid" not in cookies:
        raise BenchError(f"signing in as {username} set no session cookie")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _cpu_seconds(stats: Iterable[Path], pgid: int | None = None) -> float:
    """CPU seconds (user + system) so far of the processes whose /proc stat files these are
    (those still alive), only those of process group ``pgid`` if given."""
    total = 0
    for stat in stats:
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if pgid is None or int(fields[2]) == pgid:  # field 5 of stat: the process group
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pids: Iterable[int]) -> float:
    """CPU seconds (user + system) used so far by these processes (those still alive)."""
    return _cpu_seconds(Path(f"/proc/{pid}/stat") for pid in pids)


def group_cpu_seconds(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of one process group."""
    return _cpu_seconds(Path("/proc").glob("[0-9]*/stat"), pgid)


def machine_cpu_times() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def background_busy(seconds: float = 1.0) -> float:
    """Share of all CPUs busy over ``seconds`` while this script idles: other processes' load."""
    busy0, total0 = machine_cpu_times()
    time.sleep(seconds)
    busy1, total1 = machine_cpu_times()
    return (busy1 - busy0) / max(1, total1 - total0)


def wait_until_quiet(timeout: float, threshold: float = 0.15) -> float:
    """Waits up to ``timeout`` seconds for the machine to be under ``threshold`` busy."""
    deadline = time.monotonic() + timeout
    busy = background_busy()
    while busy > threshold and time.monotonic() < deadline:
        log(f"machine {100 * busy:.0f}% busy with other work; waiting (up to {timeout:.0f} s)")
        busy = background_busy(5.0)
    return busy


@dataclass
class Server:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        return group_cpu_seconds(self.pid)


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int = 4, log: Path | None = None) -> Iterator[Server]:
    """Starts gunicorn on a free port; yields it (URL, pid); stops it (its process group only)."""
    if not Path(GUNICORN).exists():
        raise BenchError(
            f"gunicorn is not installed in {Path(PYTHON).parent}: "
            "pip install -r bench/requirements.txt (or add gunicorn to the runtime dependencies)"
        )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(  # noqa: S603
        [
            GUNICORN,
            "config.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        try:
            wait_for_http(f"{base}/static/css/site.css", timeout=60)
        except BenchError:
            if process.poll() is not None and log:
                raise BenchError(
                    f"gunicorn exited {process.returncode}:\n{log.read_text()[-3000:]}"
                ) from None
            raise
        yield Server(base, process.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        if log:
            out.close()


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------
def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def fmt_s(seconds: float) -> str:
    if seconds != seconds:  # NaN
        return "n/a"
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return fmt_ms(seconds * 1000)


def _three_figures(value: float) -> str:
    """About three significant figures for values from 1 up: 123, 12.3, 1.23."""
    return f"{value:.{0 if value >= 100 else 1 if value >= 10 else 2}f}"


def fmt_ms(ms: float) -> str:
    if ms != ms:
        return "n/a"
    if ms >= 1:
        return f"{_three_figures(ms)} ms"
    return f"{ms * 1000:.0f} µs"


def fmt_ratio(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return "n/a"
    return f"{_three_figures(value)}×"


def fmt_int(value: float) -> str:
    return f"{value:,.0f}"


def verdict(ok: bool | None) -> str:
    if ok is None:
        return ""
    return "met" if ok else "**not met**"


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------
@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append([str(cell) for cell in cells])

    def markdown(self) -> str:
        lines = [
            "| " + " | ".join(self.headers) + " |",
            "|" + "|".join(" --- " for _ in self.headers) + "|",
        ]
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in self.rows
        ]
        return "\n".join(lines)


@dataclass
class Section:
    title: str
    intro: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    failed: bool = False

    def markdown(self) -> str:
        parts = [f"## {self.title}", ""]
        if self.intro:
            parts += [*self.intro, ""]
        for table in self.tables:
            parts += [table.markdown(), ""]
        if self.notes:
            parts += [f"- {note}" for note in self.notes]
            parts.append("")
        return "\n".join(parts)


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------------------------
def machine_info() -> list[tuple[str, str]]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    try:
        _, out = run_cmd([PYTHON, "-c", "import django; print(django.get_version())"])
        django_version = out.strip()
    except BenchError:
        django_version = "unknown"
    sqlite_version = "unknown"
    with contextlib.suppress(Exception):
        import sqlite3

        sqlite_version = sqlite3.sqlite_version
    postgres = "not found"
    if shutil.which("psql"):
        with contextlib.suppress(Exception):
            _, out = run_cmd(
                [
                    "psql",
                    "-h",
                    "127.0.0.1",
                    "-U",
                    "postgres",
                    "-d",
                    "test",
                    "-tAc",
                    "show server_version",
                ]
            )
            postgres = out.strip() or postgres
    return [
        ("CPUs (nproc)", str(os.cpu_count())),
        ("CPU model", cpu),
        ("memory", memory),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("Django", django_version),
        ("SQLite", sqlite_version),
        ("PostgreSQL server", postgres),
        ("settings module", base_settings_module()),
    ]
