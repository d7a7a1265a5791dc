"""What a gunicorn worker does as it starts (gunicorn.conf.py), checked on a real gunicorn.

Each worker loads the tutor's sentence encoder before it takes a request, so no learner's
first question waits for it; TUTOR_SEMANTIC=0 keeps the encoder out. (The nouns a lesson has in
the other number are in its stored index: a worker loads no dictionary for them,
tests/test_tutor_nouns.py.) Seen from outside the workers: the line each logs as it starts,
and whether onnxruntime's library is mapped into the worker's memory, before the server has
been asked a single question.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.test_production import MANAGE, production_env, run, start_gunicorn

WORKERS = 2
STARTED = re.compile(r"tutor: sentence encoder (.+) \(worker (\d+), [\d.]+ s of CPU\)")


def _parent(pid: int) -> int:
    # /proc/PID/stat: "pid (name) state ppid ..."; the name may hold spaces, never ")".
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _started_workers(log: Path, master: int) -> dict[int, str]:
    """What each worker of ``master`` logged about the encoder as it started, by pid."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = {int(pid): status for status, pid in STARTED.findall(log.read_text())}
        if len(found) >= WORKERS:
            return found
        time.sleep(0.2)
    pytest.fail(f"the workers did not say they started:\n{log.read_text()}")


@pytest.fixture(scope="module")
def site_env(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("worker-start")
    # No Redis needed: what is checked happens before any request that would count a limit.
    env = production_env(tmp_path, RATE_LIMITS_PER_PROCESS="1")
    env.pop("REDIS_URL")
    result = run([*MANAGE, "migrate", "--noinput"], env)
    assert result.returncode == 0, result.stderr
    return tmp_path, env


@pytest.mark.parametrize(("semantic", "status"), [("1", "loaded"), ("0", "switched off")])
def test_each_worker_loads_the_encoder_before_any_question(site_env, semantic, status):
    tmp_path, env = site_env
    log = tmp_path / f"gunicorn-semantic-{semantic}.log"
    server, _ = start_gunicorn(
        {**env, "TUTOR_SEMANTIC": semantic},
        workers=WORKERS,
        log=log,
        extra=("--log-level", "info"),
    )
    try:
        workers = _started_workers(log, server.pid)
        assert len(workers) == WORKERS
        for pid, said in workers.items():
            assert _parent(pid) == server.pid  # a worker of this server
            assert said.startswith(status), said
            mapped = "onnxruntime" in Path(f"/proc/{pid}/maps").read_text()
            assert mapped == (semantic == "1"), f"worker {pid}: onnxruntime mapped: {mapped}"
    finally:
        server.terminate()
        server.wait(timeout=10)
