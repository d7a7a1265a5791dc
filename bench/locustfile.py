# ruff: noqa: S311
# (random choices of simulated learners: nothing here is secret)
"""Mixed traffic for `bench/run.py --only mixed` (Locust, headless).

Each simulated user is a signed-in learner (accounts made beforehand by
`bench/django_tasks.py create-learners`). Between think times of BENCH_WAIT seconds it does one
of, by weight:

- 70 read a lesson page;
- 15 sync progress: POST /progress/sync/ with JSON and X-CSRFToken (sections read, receipts);
- 10 take a quiz: GET the lesson page, read its one-time token and options, POST the form with
  Accept: application/json;
- 5 ask the tutor: POST JSON {"question": ...} with X-CSRFToken;
- 3 fetch site.css: the baseline, served by the same workers under the same load.

Environment: BENCH_LESSONS_JSON (lessons, anchors and key terms), BENCH_PASSWORD, BENCH_WAIT
("min,max" seconds). Run by hand: locust -f bench/locustfile.py --host http://127.0.0.1:8000
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from datetime import UTC, datetime
from pathlib import Path

from locust import HttpUser, between, task

LESSONS = json.loads(Path(os.environ["BENCH_LESSONS_JSON"]).read_text(encoding="utf-8"))
PASSWORD = os.environ["BENCH_PASSWORD"]
WAIT = [float(x) for x in os.environ.get("BENCH_WAIT", "0.2,1.0").split(",")]
_numbers = itertools.count()

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_RE = re.compile(r'name="token" value="([^"]+)"')
OPTION_RE = re.compile(r'name="(q\d+)" value="([0-9a-f]{16})"')
OFF_TOPIC = [
    "How do I bake sourdough bread?",
    "What's the weather in Lisbon tomorrow?",
    "Who won the 2010 football final?",
]


def _url(lesson: dict) -> str:
    return f"/courses/{lesson['course']}/{lesson['lesson']}/"


class Learner(HttpUser):
    wait_time = between(WAIT[0], WAIT[1])

    def on_start(self) -> None:
        self.username = f"locust{next(_numbers):04d}"
        self.receipts: list[str] = []
        self.csrf = ""
        page = self.client.get("/accounts/login/", name="sign in: form")
        self._remember_csrf(page.text)
        with self.client.post(
            "/accounts/login/",
            data={
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": self.csrf,
            },
            name="sign in: POST",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"sign-in answered {response.status_code}, not a redirect")
        self._plain_http_cookies()
        self.csrf = self.client.cookies.get("csrftoken", "") or self.csrf

    def _plain_http_cookies(self) -> None:
        # Should the settings mark cookies Secure, a plain-HTTP load test must still send them.
        for cookie in self.client.cookies:
            cookie.secure = False

    def _remember_csrf(self, html: str) -> None:
        match = CSRF_RE.search(html)
        if match:
            self.csrf = match.group(1)
        self._plain_http_cookies()

    @task(70)
    def read_lesson(self) -> None:
        lesson = random.choice(LESSONS)
        response = self.client.get(_url(lesson), name="lesson page")
        if response.ok:
            self._remember_csrf(response.text)

    @task(15)
    def sync_progress(self) -> None:
        lesson = random.choice(LESSONS)
        anchors = lesson["anchors"]
        read = random.sample(anchors, k=random.randint(1, len(anchors))) if anchors else []
        payload = {
            "lessons": {
                f"{lesson['course']}/{lesson['lesson']}": {
                    "sections_read": read,
                    "started_at": datetime.now(UTC).isoformat(),
                }
            },
            "attempts": self.receipts[-5:],
        }
        with self.client.post(
            "/progress/sync/",
            data=json.dumps(payload),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
            name="progress sync",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(10)
    def take_quiz(self) -> None:
        lesson = random.choice(LESSONS)
        page = self.client.get(_url(lesson), name="quiz: lesson page")
        if not page.ok:
            return
        self._remember_csrf(page.text)
        token = TOKEN_RE.search(page.text)
        options: dict[str, list[str]] = {}
        for name, value in OPTION_RE.findall(page.text):
            options.setdefault(name, []).append(value)
        if not token or not options:
            return
        form = {"csrfmiddlewaretoken": self.csrf, "token": token.group(1)}
        form.update({name: random.choice(values) for name, values in options.items()})
        with self.client.post(
            f"{_url(lesson)}quiz/",
            data=form,
            headers={"Accept": "application/json", "X-CSRFToken": self.csrf},
            name="quiz submit",
            catch_response=True,
        ) as response:
            try:
                receipt = response.json().get("receipt") if response.status_code == 200 else None
            except ValueError:
                receipt = None
            if receipt:
                self.receipts.append(receipt)
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(5)
    def ask_tutor(self) -> None:
        lesson = random.choice(LESSONS)
        terms = lesson["key_terms"] + lesson["concepts"]
        roll = random.random()
        if terms and roll < 0.6:
            question = f"What is {random.choice(terms)}?"
        elif terms and roll < 0.85:
            question = f"Why does {random.choice(terms)} matter for {random.choice(terms)}?"
        else:
            question = random.choice(OFF_TOPIC)
        with self.client.post(
            f"{_url(lesson)}tutor/",
            data=json.dumps({"question": question}),
            headers={"Content-Type": "application/json", "X-CSRFToken": self.csrf},
            name="tutor question",
            catch_response=True,
        ) as response:
            try:
                ok = response.status_code == 200 and "answer" in response.json()
            except ValueError:
                ok = False
            if not ok:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(3)
    def static_file(self) -> None:
        self.client.get("/static/css/site.css", name="static site.css (baseline)")
