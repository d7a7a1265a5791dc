"""Building tutor indexes without Django: in the import's worker processes, beside rendering.

`prepare` is registered with the importer (`courses.prerender.register_preparer`, from
`TutorConfig.ready`): for every lesson an import writes it builds the index from the parsed
and rendered lesson, serialises it, and picks the fallback "Re-read" section of each quiz
question whose `See:` names no section. The `lessons_imported` receiver only writes the results
(`services.index_lessons`). `lesson_text` is the one definition of what the tutor may quote,
shared with the index built from stored rows (`services.lesson_text`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from courses.content.rendering import html_to_text, inline_formulas
from courses.content.sources import LessonSource
from courses.prerender import RenderedLesson

from . import retrieval


@dataclass(frozen=True)
class PreparedIndex:
    """One imported lesson's index, built in the worker that rendered it."""

    data_json: str
    # quiz position (from 1) -> (what the question is about, its fallback anchor or ""), for
    # each question whose `See:` names no section. The receiver uses an anchor only when the
    # question stored at that position is about the same text (a question the import kept may
    # hold an older rendering).
    fallbacks: dict[int, tuple[str, str]]


def lesson_text(
    *,
    title: str,
    summary: str,
    sections: Iterable[tuple[str, str, str, tuple[str, ...], tuple[str, ...]]],
    key_terms: Iterable[dict[str, str]],
    big_idea: str,
) -> retrieval.LessonText:
    """What the tutor may quote: sections (heading, anchor, text, which of its lines are
    headings and list items, `rendering.line_kinds`, and its inline formulas,
    `rendering.inline_formulas`), key terms (as stored: term and definition_html) and the big
    idea; never the quiz."""
    return retrieval.LessonText(
        title=title,
        summary=summary,
        sections=tuple(
            retrieval.SectionText(heading, anchor, text, kinds, formulas)
            for heading, anchor, text, kinds, formulas in sections
        ),
        key_terms=tuple(
            (term["term"], retrieval.normalize_ws(_strip_tags(term["definition_html"])))
            for term in key_terms
        ),
        big_idea=big_idea,
    )


def _strip_tags(html: str) -> str:
    return html_to_text(html).replace("\n", " ")


def question_topic(prompt_html: str, correct_html: Iterable[str]) -> str:
    """What a question is about, for choosing its fallback section: prompt and right answers."""
    return f"{prompt_html} {' '.join(correct_html)}"


def prepare(source: LessonSource, rendered: RenderedLesson) -> PreparedIndex:
    index = retrieval.build_index(
        lesson_text(
            title=source.title,
            summary=source.summary,
            sections=(
                (s.heading, s.anchor, s.text, s.line_kinds, inline_formulas(s.html))
                for s in rendered.sections
            ),
            key_terms=rendered.key_terms,
            big_idea=source.big_idea,
        )
    )
    anchors = {section.anchor for section in rendered.sections}
    fallbacks = {}
    for position, (question, html) in enumerate(
        zip(source.questions, rendered.questions, strict=True), start=1
    ):
        if question.see_anchor in anchors:
            continue
        topic = question_topic(
            html.prompt_html,
            (
                text_html
                for option, (text_html, _) in zip(question.options, html.options, strict=True)
                if option.is_correct
            ),
        )
        fallbacks[position] = (topic, retrieval.closest_anchor(index, topic) or "")
    return PreparedIndex(data_json=index.to_json(), fallbacks=fallbacks)
