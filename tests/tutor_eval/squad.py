"""SQuAD 2.0 articles as a Glassbox course, and its questions as evaluation cases (Django-free).

Each article becomes one lesson of one course, the way an author pasting the article would
write it: front matter with a title and summary, and a ``## Part N`` section for every few
paragraphs. Markdown's special characters are escaped so the rendered text, which is what the
tutor quotes, is the article's text. Each question becomes an :class:`EvalCase` whose acceptable
answers are the gold answers; an unanswerable question (``is_impossible``) has none.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .harness import EvalCase

PARAGRAPHS_PER_SECTION = 3
COURSE_SLUG = "squad"
_MARKDOWN_SPECIAL_RE = re.compile(r"([\\`*_\[\]|#!])")
_LINE_START_RE = re.compile(r"^(\s*)(\d+)([.)])|^(\s*)([-+])")


@dataclass(frozen=True)
class Article:
    title: str
    slug: str
    paragraphs: tuple[str, ...]
    cases: tuple[EvalCase, ...]


def slug_of(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.casefold()).strip("-") or "article"


def load(path: Path | str, *, course: str = COURSE_SLUG) -> list[Article]:
    """The articles of a SQuAD 2.0 JSON file, with their questions as cases."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    articles: list[Article] = []
    for item in data["data"]:
        title = item["title"].replace("_", " ")
        slug = slug_of(title)
        lesson = f"{course}/{slug}"
        cases = []
        for paragraph in item["paragraphs"]:
            for qa in paragraph["qas"]:
                answers = () if qa.get("is_impossible") else _answers(qa)
                cases.append(EvalCase(lesson=lesson, question=qa["question"], expect=answers))
        paragraphs = tuple(" ".join(p["context"].split()) for p in item["paragraphs"])
        articles.append(Article(title, slug, paragraphs, tuple(cases)))
    return articles


def _answers(qa: dict) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a["text"].strip() for a in qa["answers"] if a["text"].strip()))


def escape_markdown(text: str) -> str:
    """Text that Markdown renders back to itself (a paragraph, never a list or heading)."""
    text = _MARKDOWN_SPECIAL_RE.sub(r"\\\1", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _LINE_START_RE.sub(
        lambda m: f"{m[1]}{m[2]}\\{m[3]}" if m[2] else f"{m[4]}\\{m[5]}", text
    )


def lesson_markdown(article: Article) -> str:
    front = {
        "title": article.title,
        "summary": f"The Wikipedia article “{article.title}”, from SQuAD 2.0 (CC BY-SA 4.0).",
    }
    lines = ["---", *(f"{key}: {json.dumps(value)}" for key, value in front.items()), "---"]
    for start in range(0, len(article.paragraphs), PARAGRAPHS_PER_SECTION):
        lines.append(f"## Part {start // PARAGRAPHS_PER_SECTION + 1}")
        for paragraph in article.paragraphs[start : start + PARAGRAPHS_PER_SECTION]:
            lines.extend([escape_markdown(paragraph), ""])
    return "\n".join(lines)


def write_course(articles: list[Article], root: Path, *, course: str = COURSE_SLUG) -> Path:
    """Writes ``root/<course>/course.md`` and one lesson file per article; returns ``root``."""
    folder = root / course
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "course.md").write_text(
        "---\ntitle: SQuAD 2.0 articles\n"
        "summary: Wikipedia articles from SQuAD 2.0 (CC BY-SA 4.0), one lesson each.\n---\n",
        encoding="utf-8",
    )
    for number, article in enumerate(articles, 1):
        path = folder / f"{number:02d}-{article.slug}.md"
        path.write_text(lesson_markdown(article), encoding="utf-8")
    return root
