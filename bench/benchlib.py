"""Helpers shared by the benchmarks: paths, subprocesses, timing, servers and the report.

Everything here is standard library only, so `bench/run.py --help` works before
`pip install -r bench/requirements.txt`.
"""

from __future__ import annotations

import contextlib
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
from collections.abc import Iterator, Sequence
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
                "SESSION_COOKIE_SECURE": "0",
                "CSRF_COOKIE_SECURE": "0",
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


def reads_redis_url() -> bool:
    """Does the settings module turn REDIS_URL into a Redis cache? (Read, not guessed.)"""
    env = django_env("sqlite:////tmp/glassbox-bench-probe.sqlite3", REDIS_URL="redis://127.0.0.1:6379/5")
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


def manage(*args: str, env: dict[str, str], timeout: float = 900) -> tuple[float, str]:
    return run_cmd([PYTHON, MANAGE, *args], env, timeout=timeout)


def django_task(task: str, *args: str, env: dict[str, str], timeout: float = 900) -> dict:
    """Runs bench/django_tasks.py TASK in a subprocess; returns the JSON it prints last."""
    _, out = run_cmd([PYTHON, str(BENCH_DIR / "django_tasks.py"), task, *args], env, timeout=timeout)
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


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (localhost)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int = 4, log: Path | None = None) -> Iterator[str]:
    """Starts gunicorn on a free port; yields its base URL; stops it (only this process group)."""
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
        yield base
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


def fmt_ms(ms: float) -> str:
    if ms != ms:
        return "n/a"
    if ms >= 100:
        return f"{ms:.0f} ms"
    if ms >= 10:
        return f"{ms:.1f} ms"
    if ms >= 1:
        return f"{ms:.2f} ms"
    return f"{ms * 1000:.0f} µs"


def fmt_ratio(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return "n/a"
    if value >= 100:
        return f"{value:.0f}×"
    if value >= 10:
        return f"{value:.1f}×"
    return f"{value:.2f}×"


def fmt_int(value: float) -> str:
    return f"{value:,.0f}"


def verdict(ok: bool | None) -> str:
    if ok is None:
        return "n/a"
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
        lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in self.rows]
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
                ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-tAc", "show server_version"]
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
