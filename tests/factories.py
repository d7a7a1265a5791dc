"""Plain factory functions that write small content trees for tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

LESSON_BODY = """\
## A trillion parameters of fog
Large models have billions of parameters. Nobody wrote their rules down.

| Tradition | Looks at |
| --- | --- |
| Probing | activations |

## Grown, not built
Training grows a model by gradient descent rather than by programming it.

```python
## not a heading: inside a fence
loss.backward()
```

## Key terms
- **Superposition**: one neuron carries many features.
- **Probe**: a small classifier trained on activations.

## Quiz
1. What does superposition mean?
   - [ ] Each neuron stands for exactly one concept
     > That is the monosemantic ideal, not superposition.
   - [x] Neurons carry many features
   > Features outnumber neurons, so they share them.
   > See: #a-trillion-parameters-of-fog
2. Which of these are interpretability traditions?
   - [x] Probing
   - [x] Mechanistic
   - [ ] Compilation
   > Probing and mechanistic work are two of the four traditions.
"""


def write_file(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def write_course(
    root: Path,
    slug: str = "black-box",
    *,
    title: str = "Inside the Black Box",
    summary: str = "Why models are opaque.",
    track: str = "Foundations",
    order: int = 1,
    extra: str = "",
) -> Path:
    """``extra``: more front matter lines, e.g. "report_basis: best\n"."""
    front = f"title: {title}\nsummary: {summary}\ntrack: {track}\norder: {order}\n{extra}"
    return write_file(root / slug / "course.md", f"---\n{front}---\nA course about models.\n")


def lesson_text(
    *,
    title: str = "Why Models Are Hard",
    summary: str = "Black boxes with billions of parameters.",
    extra_front: str = "",
    body: str = LESSON_BODY,
) -> str:
    front = f"title: {title}\nsummary: {summary}\nminutes: 30\n"
    front += "concepts: [interpretability, black box]\nbig_idea: We build faster than we see.\n"
    return f"---\n{front}{textwrap.dedent(extra_front)}---\n{body}"


def write_lesson(
    root: Path, course: str = "black-box", name: str = "01-why-hard.md", **kwargs: str
) -> Path:
    return write_file(root / course / name, lesson_text(**kwargs))


READING_BODY = """\
## Reading
{text}

## Quiz
1. Is this a lesson?
   - [x] Yes
   - [ ] No
   > It is.
"""


def write_reading_lesson(
    root: Path, course: str, name: str, *, title: str, text: str = "Circuits are read here.", **kw
) -> Path:
    """A lesson of one "Reading" section holding ``text`` and a one-question quiz."""
    return write_lesson(
        root, course=course, name=name, title=title, body=READING_BODY.format(text=text), **kw
    )


def make_tree(root: Path, lessons: int = 2) -> Path:
    """A valid tree: one course with ``lessons`` lessons related in a chain."""
    write_course(root)
    for number in range(1, lessons + 1):
        related = f"related: [lesson-{number - 1}]\n" if number > 1 else ""
        write_lesson(
            root,
            name=f"{number:02d}-lesson-{number}.md",
            title=f"Lesson {number}",
            extra_front=related,
        )
    return root


def make_user(username: str = "ada", password: str = "correct horse battery staple"):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=password
    )


def query_plan(queryset) -> str:
    """The database's plan for ``queryset``, with PostgreSQL told to avoid sequential and bitmap
    scans: with a handful of test rows and no vacuum yet, either is its honest choice, and a
    test asks which index the query can be served from."""
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def migrate_to_latest() -> None:
    """Applies every migration not applied, after a test migrated backwards: a new executor,
    since one that migrated backwards holds the graph as it was."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
