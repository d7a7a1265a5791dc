"""Closed-loop HTTP load: `wrk` when it is installed, else a small Python load generator.

Both keep `connections` clients busy for `duration` seconds, each sending its next request as
soon as the previous answer arrived (re-connecting when the server closes the connection, as
gunicorn's sync workers do after every response), and report requests/s, p50, p99 and errors
(failed connections or reads, and answers other than 2xx/3xx).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from benchlib import BENCH_DIR, percentile


@dataclass
class LoadResult:
    tool: str
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    bytes: int
    p95_ms: float = float("nan")

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_path() -> str | None:
    return shutil.which("wrk")


def tool_name() -> str:
    return "wrk" if wrk_path() else "python (bench/loadgen.py)"


def run(
    url: str, connections: int, duration: float, cookies: list[str] | None = None
) -> LoadResult:
    """``cookies``: Cookie header values; requests take them in turn (signed-in traffic)."""
    if wrk_path():
        return run_wrk(url, connections, duration, cookies or [])
    return run_python(url, connections, duration, cookies or [])


def run_wrk(url: str, connections: int, duration: float, cookies: list[str]) -> LoadResult:
    threads = max(1, min(connections, multiprocessing.cpu_count()))
    env = dict(os.environ)
    env.pop("BENCH_COOKIES_FILE", None)
    if cookies:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
            handle.write("\n".join(cookies) + "\n")
        env["BENCH_COOKIES_FILE"] = handle.name
    try:
        out = _wrk(url, threads, connections, duration, env)
    finally:
        if cookies:
            os.unlink(env["BENCH_COOKIES_FILE"])
    line = next(line for line in out.splitlines() if line.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    return LoadResult(
        tool="wrk",
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        p95_ms=data["p95_us"] / 1000,
        errors=errors,
        bytes=data["bytes"],
    )


def _wrk(url: str, threads: int, connections: int, duration: float, env: dict) -> str:
    return subprocess.run(  # noqa: S603
        [
            wrk_path() or "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(duration))}s",
            "--timeout",
            "10s",
            "-s",
            str(BENCH_DIR / "wrk_report.lua"),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 60,
    ).stdout


# ---------------------------------------------------------------------------------------------
# The Python fallback: a few processes (so the GIL is not the bottleneck), threads in each
# ---------------------------------------------------------------------------------------------
def _client(host: str, port: int, path: str, cookie: str, deadline: float, out: list) -> None:
    headers = {"Connection": "keep-alive", **({"Cookie": cookie} if cookie else {})}
    latencies: list[float] = []
    errors = 0
    received = 0
    conn: http.client.HTTPConnection | None = None
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        try:
            if conn is None:
                conn = http.client.HTTPConnection(host, port, timeout=10)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            received += len(body)
            if response.status >= 400:
                errors += 1
            else:
                latencies.append(time.perf_counter() - start)
            if response.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            errors += 1
            if conn is not None:
                conn.close()
            conn = None
    if conn is not None:
        conn.close()
    out.append((latencies, errors, received))


def _process(url: str, threads: int, duration: float, cookies: list[str], queue) -> None:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    deadline = time.perf_counter() + duration
    out: list = []
    workers = [
        threading.Thread(
            target=_client,
            args=(
                parts.hostname,
                parts.port,
                path,
                cookies[i % len(cookies)] if cookies else "",
                deadline,
                out,
            ),
        )
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    latencies = [lat for lats, _, _ in out for lat in lats]
    queue.put((latencies, sum(e for _, e, _ in out), sum(b for _, _, b in out)))


def run_python(url: str, connections: int, duration: float, cookies: list[str]) -> LoadResult:
    processes = max(1, min(multiprocessing.cpu_count(), connections))
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    per = [
        connections // processes + (1 if i < connections % processes else 0)
        for i in range(processes)
    ]
    start = time.perf_counter()
    procs = [
        ctx.Process(target=_process, args=(url, n, duration, cookies[k::processes], queue))
        for k, n in enumerate(per)
        if n
    ]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=duration + 60) for _ in procs]
    for proc in procs:
        proc.join()
    seconds = time.perf_counter() - start
    latencies = [lat for lats, _, _ in results for lat in lats]
    return LoadResult(
        tool="python",
        requests=len(latencies) + sum(e for _, e, _ in results),
        seconds=seconds,
        p50_ms=percentile(latencies, 50) * 1000 if latencies else float("nan"),
        p99_ms=percentile(latencies, 99) * 1000 if latencies else float("nan"),
        p95_ms=percentile(latencies, 95) * 1000 if latencies else float("nan"),
        errors=sum(e for _, e, _ in results),
        bytes=sum(b for _, _, b in results),
    )


def write_same_size_file(path: Path, size: int) -> None:
    """An HTML-like static file of exactly ``size`` bytes (deterministic)."""
    line = b"<p>Static text of the same size as the lesson page, served by WhiteNoise.</p>\n"
    data = (line * (size // len(line) + 1))[:size]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
