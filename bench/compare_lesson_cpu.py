"""CPU per signed-in lesson page, two checkouts in one run (issue #17, item 5).

    .venv/bin/python bench/compare_lesson_cpu.py /path/to/old-checkout /path/to/new-checkout [N]

The page benchmark (b_pages.py) measures the page under gunicorn, where a busy machine moves
the figures a lot. This measures what decides its throughput, the CPU one page costs, in a
way a busy machine disturbs far less: each checkout, with this .venv and the production
settings, serves the lesson page to 16 signed-in learners in turn (signed in through
django.test.Client, each page then requested from Django's WSGI application as gunicorn's
worker calls it, so that the request signals run Django's connection upkeep and health check
as under gunicorn, which django.test.Client leaves out; the whole middleware stack, every page
rendered for its learner and recording the visit), N pages a round (default 400), and reports
CPU seconds per page (time.process_time) beside the anonymous page's in the same process.
Rounds alternate old, new, new, old, old, new, on one SQLite database with the shipped content.

    .venv/bin/python bench/compare_lesson_cpu.py OLD NEW [N] postgres

puts the shipped content into a fresh PostgreSQL database at 127.0.0.1 instead (migrated by the
new checkout, so both must share its schema; dropped at the end), keeps one connection for the
whole round, and adds the CPU its backend spent to each figure (read from /proc, so PostgreSQL
must run on this machine), and reports the statements one signed-in page sends.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from benchlib import MEASURE_PREAMBLE, alternate_checkouts, comparison_env

MEASURE = (
    MEASURE_PREAMBLE
    + r"""
from django.contrib.auth import get_user_model
from django.core.wsgi import get_wsgi_application
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

URL = "/courses/inside-the-black-box/superposition/"
N = int(sys.argv[1])

def cookie_header(client):
    client.get(URL)  # the CSRF cookie, as a browser holds it
    return "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())

learners = []
for i in range(16):
    user, _ = get_user_model().objects.get_or_create(username=f"cpu{i:02d}")
    client = Client()
    client.force_login(user)
    learners.append(cookie_header(client))
anonymous = [cookie_header(Client())]
application = get_wsgi_application()

def start_response(status, headers, exc_info=None):
    assert status.startswith("200"), status

def serve(cookies, n):
    for k in range(n):
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": URL, "SCRIPT_NAME": "", "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr,
            "HTTP_COOKIE": cookies[k % len(cookies)],
        }
        response = application(environ, start_response)
        b"".join(response)
        response.close()  # request_finished, as gunicorn's worker does

serve(learners, 64)
serve(anonymous, 16)
def cpu_per_page(clients):
    backend, start = backend_seconds(), time.process_time()
    serve(clients, N)
    app, backend = time.process_time() - start, backend_seconds() - backend
    return (app + backend) / N, backend / N

signed_in, signed_in_backend = cpu_per_page(learners)
anon, _ = cpu_per_page(anonymous)
# Statements sent to the database for one page: Django's, and on PostgreSQL also those psycopg
# sends for Django outside its query log (the health check's).
sent = []
if connection.vendor == "postgresql":
    import psycopg

    execute = psycopg.Cursor.execute
    def counted(cursor, query, *args, **kwargs):
        sent.append(query)
        return execute(cursor, query, *args, **kwargs)
    psycopg.Cursor.execute = counted
counts = []
for _ in range(3):  # the fewest of three: a visit's write, a content-version check come and go
    sent.clear()
    with CaptureQueriesContext(connection) as queries:
        serve(learners[3:4], 1)
    counts.append(len(sent) or len(queries.captured_queries))
print(json.dumps({"signed_in_ms": signed_in * 1000, "anonymous_ms": anon * 1000,
                  "signed_in_backend_ms": signed_in_backend * 1000, "queries": min(counts)}))
"""
)


def main() -> None:
    trees = {"old": Path(sys.argv[1]).resolve(), "new": Path(sys.argv[2]).resolve()}
    pages = sys.argv[3] if len(sys.argv) > 3 else "400"
    work = Path(tempfile.mkdtemp(prefix="compare-lesson-cpu-"))
    with comparison_env(work, postgres=sys.argv[4:] == ["postgres"]) as env:
        results = alternate_checkouts(trees, env, MEASURE, pages)
    median = {
        name: sorted(run["signed_in_ms"] for run in runs)[len(runs) // 2]
        for name, runs in results.items()
    }
    for name, runs in results.items():
        anon = sorted(run["anonymous_ms"] for run in runs)[len(runs) // 2]
        backend = sorted(run["signed_in_backend_ms"] for run in runs)[len(runs) // 2]
        print(
            f"{name}: signed-in page {median[name]:.2f} ms CPU (median of {len(runs)}; "
            f"database backend {backend:.2f} ms), anonymous {anon:.2f} ms, "
            f"{runs[-1]['queries']} statements a signed-in page"
        )
    print(f"new ÷ old: {median['new'] / median['old']:.2f}")


if __name__ == "__main__":
    main()
