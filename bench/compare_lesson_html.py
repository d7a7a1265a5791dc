"""Do two checkouts serve the same lesson page? (What a change for speed must not change.)

    .venv/bin/python bench/compare_lesson_html.py /path/to/old-checkout /path/to/new-checkout

Each checkout, with this .venv and the production settings, on one SQLite database with the
shipped content, serves the lesson page through django.test.Client, the whole middleware stack,
to: an anonymous visitor without cookies, the same visitor again with its cookie, and signed-in
learners in several states (new; sections read; the lesson completed with quiz scores; another
course's lesson completed; an instructor, whose menu shows Reports), each twice (the first
visit records it, the second finds it recorded). The option order is fixed to one variant, and
what must differ from one response to the next is replaced by a placeholder before comparing:
CSRF tokens (a fresh mask each response), the quiz's one-time token and the X-Request-ID header.
Compared: status, body and the headers (Set-Cookie by name and attributes, without its value).
Prints the first difference and exits 1, or prints how many pages matched.

    .venv/bin/python bench/compare_lesson_html.py OLD NEW postgres

does the same on a fresh PostgreSQL database at 127.0.0.1 (dropped at the end).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import PYTHON, comparison_env, exit_on_first_difference

SERVE = r"""
import json, os, re, secrets, sys
sys.path.insert(0, os.getcwd())
secrets.randbelow = lambda n: 1  # one option order (variant) for every page
import django
django.setup()
from datetime import datetime, timezone
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from courses.models import Lesson
from lessons.models import LessonProgress

URL = "/courses/inside-the-black-box/superposition/"
User = get_user_model()
lesson = Lesson.objects.get(course__slug="inside-the-black-box", slug="superposition")
other = Lesson.objects.exclude(course=lesson.course).order_by("pk").first()
same_course = Lesson.objects.filter(course=lesson.course).exclude(pk=lesson.pk).order_by("pk")[0]
anchors = [section.anchor for section in lesson.sections.all()]
at = datetime(2026, 3, 4, 5, 6, 7, tzinfo=timezone.utc)

def learner(name, rows=(), instructor=False):
    user, _ = User.objects.get_or_create(username=f"html-{name}")
    LessonProgress.objects.filter(learner=user).delete()
    for row in rows:
        LessonProgress.objects.create(learner=user, **row)
    if instructor:
        user.user_permissions.add(Permission.objects.get(codename="view_reports"))
    return user

learners = [
    learner("new"),
    learner("reading", [dict(lesson=lesson, sections_read=anchors[:2], started_at=at,
                             last_visited_at=at)]),
    learner("done", [
        dict(lesson=lesson, sections_read=anchors, started_at=at, last_visited_at=at,
             completed_at=at, best_score=7.5, best_total=10, latest_score=6, latest_total=10,
             latest_attempt_at=at),
        dict(lesson=same_course, sections_read=[], started_at=at, completed_at=at,
             last_visited_at=at),
    ]),
    learner("elsewhere", [dict(lesson=other, started_at=at, completed_at=at,
                               last_visited_at=datetime.now(timezone.utc))]),
    learner("instructor", instructor=True),
]

TOKENS = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}"'), r'\1CSRF"'),
    (re.compile(r'(name="token" value=")[^"]+"'), r'\1QUIZ-TOKEN"'),
]

def page(client, name):
    response = client.get(URL)
    body = response.content.decode()
    for pattern, placeholder in TOKENS:
        body = pattern.sub(placeholder, body)
    headers = {
        key: value for key, value in response.headers.items()
        if key not in {"X-Request-ID", "Set-Cookie", "Content-Length"}  # tokens vary in length
    }
    cookies = {
        key: {attr: value for attr, value in morsel.items() if value}
        for key, morsel in sorted(response.cookies.items())
    }
    for attrs in cookies.values():
        attrs.pop("expires", None)  # moves with the clock
    return {"name": name, "status": response.status_code, "headers": headers,
            "cookies": cookies, "body": body}

pages = []
anonymous = Client()
pages.append(page(anonymous, "anonymous, no cookie"))
pages.append(page(anonymous, "anonymous, with its cookie"))
for user in learners:
    client = Client()
    client.force_login(user)
    for visit in ("first", "second"):
        pages.append(page(client, f"{user.username}, {visit} visit"))
print(json.dumps(pages))
"""


def serve(tree: Path, env: dict[str, str]) -> list[dict]:
    done = subprocess.run(  # noqa: S603 (our own script in a checkout)
        [PYTHON, "-c", SERVE], cwd=tree, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    old, new = (Path(arg).resolve() for arg in sys.argv[1:3])
    work = Path(tempfile.mkdtemp(prefix="compare-lesson-html-"))
    with comparison_env(work, postgres=sys.argv[3:] == ["postgres"]) as env:
        commands = (("migrate", "--noinput"), ("import_content",), ("collectstatic", "--noinput"))
        for command in commands:
            subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
                [PYTHON, "manage.py", *command], cwd=new, env=env, check=True, capture_output=True
            )
        before, after = serve(old, env), serve(new, env)
    exit_on_first_difference(before, after)
    print(f"{len(before)} pages the same (status, headers, cookies, body apart from tokens)")


if __name__ == "__main__":
    main()
