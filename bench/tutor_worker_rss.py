"""Memory of a gunicorn worker after its first tutor questions, for two checkouts.

    .venv/bin/python bench/tutor_worker_rss.py /path/to/old-checkout /path/to/new-checkout

Each checkout imports the shipped content into a scratch SQLite database of its own, then runs
gunicorn from its folder (so its own `gunicorn.conf.py`) with one worker on the development
settings (DEBUG off, no Redis). The worker's resident memory (VmRSS) is read once it has
started, and again after it has answered three questions on one lesson. Runs alternate (old,
new, new, old). Prints each run and the mean per checkout.
"""

from __future__ import annotations

import http.cookiejar
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

QUESTIONS = ("What is a linear probe?", "What do the probes find?", "Why use cacti?")
LESSON = (
    "from courses.models import Lesson; lesson = Lesson.objects.select_related('course')"
    ".order_by('catalog_position').first(); print(lesson.course.slug, lesson.slug)"
)


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def worker_of(master: int) -> int:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.2)
    raise RuntimeError("no worker")


def run(tree: Path, database: Path, port: int) -> tuple[int, int]:
    python = str(tree / ".venv/bin/python")
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DEBUG"}}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", DATABASE_URL=f"sqlite:///{database}")
    if not database.exists():
        for args in (("migrate", "--noinput"), ("import_content",)):
            subprocess.run([python, "manage.py", *args], cwd=tree, env=env, check=True,  # noqa: S603
                           capture_output=True)  # fmt: skip
    slugs = subprocess.run(  # noqa: S603
        [python, "manage.py", "shell", "-c", LESSON],
        cwd=tree, env=env, check=True, capture_output=True, text=True,
    ).stdout.split()[-2:]  # fmt: skip
    server = subprocess.Popen(  # noqa: S603
        [str(tree / ".venv/bin/gunicorn"), "config.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}",
         "--log-level", "info"],
        cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}/courses/{slugs[0]}/{slugs[1]}/"
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        deadline = time.monotonic() + 60
        while True:
            try:
                opener.open(base).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        worker = worker_of(server.pid)
        started = rss_kb(worker)
        token = next(c.value for c in jar if c.name == "csrftoken")
        for question in QUESTIONS:
            body = urllib.parse.urlencode({"question": question, "csrfmiddlewaretoken": token})
            request = urllib.request.Request(  # noqa: S310 (http://127.0.0.1 only)
                base + "tutor/", data=body.encode(), headers={"Referer": base}
            )
            opener.open(request).read()
        return started, rss_kb(worker)
    finally:
        server.terminate()
        server.wait(timeout=20)


def main(argv: list[str]) -> int:
    trees = {"old": Path(argv[0]).resolve(), "new": Path(argv[1]).resolve()}
    work = Path(tempfile.mkdtemp(prefix="tutor-worker-rss-"))
    seen: dict[str, list[tuple[int, int]]] = {"old": [], "new": []}
    for n, name in enumerate(("old", "new", "new", "old")):
        started, after = run(trees[name], work / f"{name}.sqlite3", 18700 + n)
        seen[name].append((started, after))
        print(f"{name}: worker RSS {started / 1024:.1f} MB started, {after / 1024:.1f} MB after "
              f"{len(QUESTIONS)} questions", flush=True)  # fmt: skip
    for name, runs in seen.items():
        mean = sum(after for _, after in runs) / len(runs) / 1024
        print(f"{name}: mean after the questions {mean:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
