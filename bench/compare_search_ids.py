"""Same search results from two checkouts: ranked ids, counts and the results page's HTML.

    .venv/bin/python bench/compare_search_ids.py /path/to/old-checkout /path/to/new-checkout
    .venv/bin/python bench/compare_search_ids.py OLD NEW postgres
    .venv/bin/python bench/compare_search_ids.py OLD NEW postgres drafts

A check for changes meant to make search cheaper without changing what it finds. The
2,116-lesson generated catalog (the one compare_search_cpu.py measures) is migrated and
imported by each checkout into a database of its own (a SQLite file, or with ``postgres`` a
fresh PostgreSQL database at 127.0.0.1, dropped at the end), so each side's import path is
part of what is compared. Each checkout then answers the same 279 searches, made from the
catalog's own words with a fixed seed: single words, prefixes, several words, words found only
in lesson text and their prefixes, track and course filters, pages 2 and 3, and searches
that match nothing. With ``drafts`` the catalog is imported a second time with every seventh
lesson a draft, so the searches also pass over unpublished lessons. For
each: every matching lesson's id in ranked order (`search.engine.ranked_lesson_ids`), the
count with and without the page's cap, and the whole results page as served (production
settings, result cache off). Prints the differences, if any; exits 1 when there are some.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import PYTHON, admin_sql
from compare_search_cpu import env_for
from textgen import generate_catalog

DUMP = r"""
import io, json, os, random, re, sys
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from search import engine
from search.models import SearchCard, SearchDocument

app = WSGIHandler()

def page(query):
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/search/", "QUERY_STRING": query,
               "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http"}
    status = []
    body = b"".join(app(environ, lambda s, headers, exc_info=None: status.append(s)))
    return status[0] + "\n" + body.decode()

rng = random.Random(17)
cards = sorted(SearchCard.objects.values_list("lesson_id", "title", "track", "course_slug"))
words_of = lambda text: re.findall(r"[a-z]+", text.lower())
title_words = sorted({w for _, title, _, _ in cards for w in words_of(title) if len(w) > 2})
bodies = [b for _, b in sorted(SearchDocument.objects.values_list("lesson_id", "body"))]
body_words = sorted({w for b in rng.sample(bodies, 20) for w in words_of(b) if len(w) > 3})
tracks = sorted({track for _, _, track, _ in cards})
courses = sorted({course for _, _, _, course in cards})
searches = [{"q": w} for w in rng.sample(title_words, 60)]
searches += [{"q": w[: rng.randint(2, 5)]} for w in rng.sample(title_words, 40)]
for _, title, _, _ in rng.sample(cards, 40):
    words = words_of(title)
    start = rng.randrange(len(words))
    searches.append({"q": " ".join(words[start : start + rng.randint(2, 3)])})
searches += [{"q": w} for w in rng.sample(body_words, 20)]
searches += [{"q": w, "track": rng.choice(tracks)} for w in rng.sample(title_words, 20)]
searches += [{"q": w[:4], "course": rng.choice(courses)} for w in rng.sample(title_words, 15)]
searches += [{"q": w, "page": str(rng.choice([2, 3]))} for w in rng.sample(title_words, 20)]
searches += [{"q": w[:3], "page": "2"} for w in rng.sample(title_words, 5)]
searches += [{"q": q} for q in ("zzyzx", "qwertyuiop", "model zzyzx", "a", "", "  ", "x-y",
                                "circuits!", "o'brien", "sparse feature probe")]
# One word and its prefixes found in lesson text (the body tier: on PostgreSQL ranked by word
# when the prefix stands for one word of the catalog, by the statement when for several),
# with filters and later pages.
searches += [{"q": w[:n]} for w in rng.sample(body_words, 15) for n in (-1, -2, 4)]
searches += [{"q": q} for q in ("stable", "stabl", "stab", "sta", "the", "and")]
searches += [{"q": w, "track": rng.choice(tracks)} for w in rng.sample(body_words, 10)]
searches += [{"q": w[:-1], "course": rng.choice(courses)} for w in rng.sample(body_words, 10)]
searches += [{"q": w, "page": str(rng.choice([2, 3, 9]))} for w in rng.sample(body_words, 10)]
from urllib.parse import urlencode
out = {}
for params in searches:
    key = urlencode(params)
    filters = {"track": params.get("track", ""), "course": params.get("course", "")}
    out[key] = {
        "ids": engine.ranked_lesson_ids(params["q"], **filters),
        "count": engine.count_matches(params["q"], **filters),
        "capped": engine.count_matches(params["q"], cap=settings.SEARCH_MAX_RESULTS, **filters),
        "page": page(key),
    }
print(json.dumps(out))
"""


def dump(tree: Path, database_url: str, work: Path, *, drafts: bool) -> dict:
    env = env_for(database_url, work)
    for command in (("migrate", "--noinput"), ("import_content",), ("collectstatic", "--noinput")):
        subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
            [PYTHON, "manage.py", *command], cwd=tree, env=env, check=True, capture_output=True
        )
    if drafts:  # imported again with every DRAFT_EVERY-th lesson a draft: unpublished
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", "import_content"],
            cwd=tree,
            env={**env, "CONTENT_DIR": str(work / "drafts")},
            check=True,
            capture_output=True,
        )
    done = subprocess.run(  # noqa: S603
        [PYTHON, "-c", DUMP], cwd=tree, env=env, check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


DRAFT_EVERY = 7


def write_drafts(content: Path, drafts: Path) -> None:
    """A copy of the catalog with every DRAFT_EVERY-th lesson marked a draft."""
    shutil.copytree(content, drafts)
    lessons = sorted(path for path in drafts.rglob("*.md") if path.name[:2].isdigit())
    for path in lessons[::DRAFT_EVERY]:
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("---\n", "---\ndraft: true\n", 1), encoding="utf-8")


def main() -> None:
    trees = {"old": Path(sys.argv[1]).resolve(), "new": Path(sys.argv[2]).resolve()}
    postgres, drafts = "postgres" in sys.argv[3:], "drafts" in sys.argv[3:]
    work = Path(tempfile.mkdtemp(prefix="compare-search-ids-"))
    generate_catalog(work / "content", 46, 46)
    if drafts:
        write_drafts(work / "content", work / "drafts")
    results = {}
    for name, tree in trees.items():
        if postgres:
            database = f"compare_search_ids_{name}_{os.getpid()}"
            admin_sql(f"DROP DATABASE IF EXISTS {database}")
            admin_sql(f"CREATE DATABASE {database}")
            try:
                results[name] = dump(
                    tree, f"postgres://postgres@127.0.0.1:5432/{database}", work, drafts=drafts
                )
            finally:
                admin_sql(f"DROP DATABASE IF EXISTS {database}")
        else:
            results[name] = dump(tree, f"sqlite:///{work / f'{name}.sqlite3'}", work, drafts=drafts)
    old, new = results["old"], results["new"]
    assert old.keys() == new.keys(), "the two checkouts made different searches"
    differences = 0
    for key in old:
        for part in ("ids", "count", "capped", "page"):
            if old[key][part] != new[key][part]:
                differences += 1
                print(f"DIFFERENT {part} for {key!r}")
    matched = sum(bool(result["ids"]) for result in old.values())
    print(
        f"{len(old)} searches ({matched} with matches, "
        f"{sum(len(result['ids']) for result in old.values())} ranked ids in all): "
        f"{differences} differences"
    )
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
