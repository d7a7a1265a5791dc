"""Do two checkouts serve the same search results pages? (What a change for speed must not
change.)

    .venv/bin/python bench/compare_search_html.py /path/to/old-checkout /path/to/new-checkout
    .venv/bin/python bench/compare_search_html.py OLD NEW --database /path/to/db.sqlite3

Each checkout, with this .venv and the production settings, on one SQLite database, serves
/search/ through django.test.Client (the whole middleware stack) for about 250 queries: single
words, prefixes, two and three words, words no lesson has, track and course filters (real and
made up), pages 2, 3 and past the end, Unicode, HTML and FTS5 metacharacters, control
characters, empty and over-long queries. Each is asked by an anonymous visitor without cookies,
and a sample of them again by the same visitor with its cookies and by a signed-in learner. By
default the database is the generated 2,116-lesson catalog of bench/compare_search_cpu.py,
imported by the new checkout; ``--database`` copies an existing one instead (each checkout
works on its own copy, so nothing is written to it). The result cache is off, so every page
is ranked and cut by the checkout serving it.

Compared: status, body (CSRF tokens replaced by a placeholder) and headers (without
X-Request-ID; Set-Cookie by name and attributes, without its value). Prints the first
difference and exits 1, or prints how many pages matched.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import PYTHON, django_env, exit_on_first_difference
from textgen import generate_catalog

SERVE = r"""
import json, os, re, sys
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from search.models import SearchCard

QUERIES = json.loads(sys.argv[1])
tracks = sorted(set(SearchCard.objects.values_list("track", flat=True)))
courses = sorted(set(SearchCard.objects.values_list("course_slug", flat=True)))
filters = [{}, {"track": tracks[0]}, {"track": tracks[-1]}, {"course": courses[0]},
           {"course": courses[len(courses) // 2]}, {"track": tracks[0], "course": courses[0]},
           {"track": "No such track"}, {"course": "no-such-course"}, {"track": "<b>&</b>"}]
pages = [None, "2", "3", "999", "abc", "-1", "0"]

requests = []
for i, q in enumerate(QUERIES):
    params = {} if q is None else {"q": q}
    requests.append(params)
    if i % 3 == 0:
        requests.append({**params, **filters[(i // 3) % len(filters)]})
    number = pages[(i // 4) % len(pages)]
    if i % 4 == 1 and number:
        requests.append({**params, "page": number})
for extra in filters[1:]:
    requests.append({"q": "model", **extra})
    requests.append({"q": "model", "page": "2", **extra})

TOKEN = (re.compile(r'(name="csrfmiddlewaretoken" value=")[A-Za-z0-9]{64}"'), r'\1CSRF"')

def page(client, params, who):
    response = client.get("/search/", params)
    body = TOKEN[0].sub(TOKEN[1], response.content.decode())
    headers = {key: value for key, value in response.headers.items()
               if key not in {"X-Request-ID", "Set-Cookie", "Content-Length"}}
    cookies = {key: {attr: value for attr, value in morsel.items() if value and attr != "expires"}
               for key, morsel in sorted(response.cookies.items())}
    return {"name": f"{who} {params!r}", "status": response.status_code, "headers": headers,
            "cookies": cookies, "body": body}

pages_out = []
anonymous = Client()
for params in requests:
    pages_out.append(page(Client(), params, "anonymous"))
for params in requests[::7]:
    pages_out.append(page(anonymous, params, "anonymous, with its cookies"))
user, _ = get_user_model().objects.get_or_create(username="html-searcher")
learner = Client()
learner.force_login(user)
for params in requests[::5]:
    pages_out.append(page(learner, params, "signed in"))
print(json.dumps(pages_out))
"""

QUERIES: list[str | None] = [
    None, "", " ", "   \t ", "model", "models", "Model", "MODEL", "modeling", "modelled",
    "feature", "features", "sparse", "sparsity", "probe", "probes", "probing", "circuit",
    "circuits", "attention", "head", "heads", "neuron", "layer", "layers", "residual", "stream",
    "activation", "patching", "ablation", "superposition", "the", "a", "of", "and", "is",
    "zebra", "qwertyuiop", "x", "z", "mod", "circu", "pro", "sp", "fe", "att", "ne", "l",
    "resid", "activ", "superpos", "abl", "m", "sparse feature", "feature sparse",
    "sparse features", "model probe", "linear probe", "attention head", "attention head layer",
    "residual stream direction", "sparse dictionary feature", "the model", "model the",
    "model model", "models model", "induction heads", "logit lens", "circuit circu",
    "probe probing probes", "sparse feat", "attention he", "causal trac", "a b c d e f g h",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen",
    "modèle", "naïve model", "İstanbul", "ISTANBUL", "ΟΔΟΣ", "οδος", "Straße", "strasse",
    "ﬁne", "日本語", "модель", "🙂 model", "model 🙂", "café feature", "Σ", "ς model",
    "<script>alert(1)</script>", "<b>model</b>", "model<", "model>", "a & b", "model & probe",
    "&amp;", "&lt;model&gt;", '"model"', '"sparse feature"', "'", "model'", "it's",
    "\"><img src=x onerror=alert(1)>", "javascript:alert(1)", "%", "%20model", "model%",
    "_", "__init__", "\\", "model\\", "*", "model*", "*model", "NEAR", "model NEAR probe",
    "AND", "OR", "NOT", "model AND probe", "model OR probe", "model NOT probe", "NOT model",
    '"model', "model\"", "title:model", "body:model", "{title}: model", "{title terms}",
    "^model", "model^", "(model)", "((", "))", "model)", "-model", "+model", "model-probe",
    "model.probe", "model/probe", "model,probe", "model;probe", "model:probe", "model_probe",
    "&", "&&", "||", "!", "!model", "~model", "model~", "?", "model?", "$", "#model", "@model",
    "model\x00", "\x00", "\x01model", "\x1fmodel", "model\u200b", "\u200b", "\ufeffmodel",
    "\ue000model", "mo\u0301del", "model\n", "\nmodel", "model\r\nprobe", "\tmodel\t",
    "model " * 60, "m" * 250, "a" * 45, "model" + "s" * 40, "1", "12", "2024", "3.14",
    "100%", "x1", "h2o", "GPT-2", "gpt2", "L2", "L1 norm", "top-k", "k", "k-sparse",
    "a1 b2", "model 1", "v2", "ﬃ", "ǅ", "Ⅻ", "½", "²", "٣", "Ꙭ",
]  # fmt: skip


def serve(tree: Path, env: dict[str, str]) -> list[dict]:
    done = subprocess.run(  # noqa: S603 (our own script in a checkout)
        [PYTHON, "-c", SERVE, json.dumps(QUERIES)],
        cwd=tree, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    old, new = (Path(arg).resolve() for arg in sys.argv[1:3])
    work = Path(tempfile.mkdtemp(prefix="compare-search-html-"))
    source = None
    if sys.argv[3:4] == ["--database"]:
        source = Path(sys.argv[4]).resolve()
    envs = {}
    for name in ("old", "new"):
        database = work / f"{name}.sqlite3"
        envs[name] = django_env(
            f"sqlite:///{database}",
            CONTENT_DIR=str(work / "content"),
            SEARCH_CACHE_RESULTS="0",
            LOG_LEVEL="WARNING",
        )
        envs[name]["STATIC_ROOT"] = str(work / "static")
    if source is not None:
        for name in envs:
            shutil.copyfile(source, work / f"{name}.sqlite3")
        commands = [("collectstatic", "--noinput")]
    else:
        generate_catalog(work / "content", 46, 46)
        commands = [("migrate", "--noinput"), ("import_content",), ("collectstatic", "--noinput")]
    for command in commands:
        subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
            [PYTHON, "manage.py", *command], cwd=new, env=envs["new"], check=True,
            capture_output=True,
        )  # fmt: skip
    if source is None:
        shutil.copyfile(work / "new.sqlite3", work / "old.sqlite3")
    before, after = serve(old, envs["old"]), serve(new, envs["new"])
    exit_on_first_difference(before, after)
    marked = sum(b["body"].count("<mark>") for b in after)
    print(
        f"{len(before)} pages the same (status, headers, cookies, body apart from CSRF tokens); "
        f"{marked} marked words in their passages"
    )


if __name__ == "__main__":
    main()
