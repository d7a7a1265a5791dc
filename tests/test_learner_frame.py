"""A signed-in learner's lesson page comes from a shared frame (core/frames.py) with only their
own parts rendered per request; it must be exactly the page the template renders for them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.shortcuts import render
from django.utils import timezone

from core.frames import page_slot
from lessons.models import LessonProgress
from lessons.views import TEMPLATE, learner_page, visited_page
from tests.factories import make_user

pytestmark = pytest.mark.django_db
URL = "/courses/black-box/lesson-1/"


def _new_learner(lesson):
    return make_user("new")


def _learner_with_progress(lesson):
    user = make_user("keen")
    anchors = [section.anchor for section in lesson.sections.all()]
    LessonProgress.objects.create(
        learner=user,
        lesson=lesson,
        sections_read=anchors[:1],
        completed_at=timezone.now(),
        best_score=3,
        best_total=4,
        latest_score=2.5,
        latest_total=4,
    )
    return user


def _instructor(lesson):
    user = make_user("teacher")
    user.groups.add(Group.objects.get(name="Instructors"))
    return user


@pytest.mark.parametrize("learner", [_new_learner, _learner_with_progress, _instructor])
def test_the_framed_page_is_the_full_render(client, lesson, learner):
    user = learner(lesson)
    client.force_login(user)
    for _ in range(2):  # the first pass builds the frame, the second fills the kept one
        request = client.get(URL).wsgi_request
        page, context = visited_page(request, "black-box", "lesson-1")
        full = render(request, TEMPLATE, context).content.decode()
        framed = learner_page(request, page, context).content.decode()
        assert page.learner_frame is not None
        assert framed == full
        assert page_slot("csrf") not in framed and page_slot("quiz-form") not in framed
    assert ('href="/reports/"' in framed) == (learner is _instructor)


def test_learners_taking_turns_each_see_only_their_own_parts(lesson):
    from django.test import Client

    keen, new = _learner_with_progress(lesson), _new_learner(lesson)
    pages = {}
    for user in (keen, new, keen, new):
        browser = Client()
        browser.force_login(user)
        pages[user.username] = browser.get(URL).content.decode()
    assert f'data-learner="{keen.pk}"' in pages["keen"]
    assert f'data-learner="{new.pk}"' in pages["new"]
    assert "Your best score" in pages["keen"] and "Your best score" not in pages["new"]
    assert "You completed this lesson" in pages["keen"]
    assert "You completed this lesson" not in pages["new"]
    assert 'class="is-read"' in pages["keen"] and 'class="is-read"' not in pages["new"]


def test_parts_kept_per_value_stay_each_learners_own(lesson):
    """The learning path and the progress line are rendered once per distinct sections read
    and course progress, and reused: learners taking turns still get exactly their own page."""
    from django.test import Client

    keen, new = _learner_with_progress(lesson), _new_learner(lesson)
    for user in (keen, new, keen, new):
        browser = Client()
        browser.force_login(user)
        request = browser.get(URL).wsgi_request
        page, context = visited_page(request, "black-box", "lesson-1")
        full = render(request, TEMPLATE, context).content.decode()
        assert learner_page(request, page, context).content.decode() == full
        assert ('class="is-read"' in full) == (user is keen)
    kept = page.learner_frame.remembered
    assert {key[0] for key in kept} == {
        "lessons/_learning_path.html",
        "lessons/_progress_line.html",
    }
    assert len(kept) == 4  # two learners' values of each, every other page reused them
