"""Building tutor indexes for many lessons at once, without Django (worker processes run it)."""

from __future__ import annotations

from typing import Any

from . import retrieval


def build_index_data(text: retrieval.LessonText) -> dict[str, Any]:
    """The stored form of a lesson's index (`TutorIndex.data`)."""
    return retrieval.build_index(text).to_dict()
