"""Building tutor indexes for many lessons at once, without Django (worker processes run it)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from . import retrieval


@dataclass(frozen=True)
class IndexJob:
    text: retrieval.LessonText
    # (question id, its prompt and right answers) for each current quiz question whose `See:`
    # names no section of the lesson: it needs a fallback "Re-read" section.
    unplaced: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class BuiltIndex:
    # `TutorIndex.data` as JSON text, serialised here in the worker: a big import's indexes
    # are tens of megabytes of JSON that the importing process then only hands on.
    data_json: str
    fallback_anchors: dict[int, str]  # question id -> anchor ("" when nothing matches)


def build(job: IndexJob) -> BuiltIndex:
    index = retrieval.build_index(job.text)
    return BuiltIndex(
        data_json=json.dumps(index.to_dict()),
        fallback_anchors={
            question_id: retrieval.closest_anchor(index, text) or ""
            for question_id, text in job.unplaced
        },
    )
