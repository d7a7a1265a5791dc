"""The lesson page, and the images lessons reference by relative path.

Signed-in learners get the page rendered for them (it shows their progress), from parts
every visitor shares: the lesson's objects, the HTML of its parts that are the same for
everyone, and its quiz forms (``shared_page``, kept in each process); only their progress, the
menu and their tokens are theirs. Everyone else gets one of a few cached renderings, each with
its own option order, into which this request's CSRF token and a fresh one-time quiz token are
filled: the same page for thousands of visitors at the cost of joining a few strings, while
every quiz attempt stays one-time.
"""

import hashlib
import mimetypes
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone

from core.frames import Frame, FrameStore, PartsFrame, fill_parts, page_slot, render_frame
from courses.caching import PAGE_CACHE_SECONDS, content_version
from courses.content.confinement import file_inside
from courses.models import Course, Lesson, Question
from quizzes.services import PresentedQuiz, issue_token, present_quiz

from .services import visit_lesson

LESSON_IMAGE_TYPES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg"})
TEMPLATE = "lessons/lesson_detail.html"
ANONYMOUS_VARIANTS = 4  # cached renderings per lesson, each with its own option order


def _published_lesson(course: str, lesson: str) -> Lesson:
    return get_object_or_404(
        Lesson.objects.published()
        .select_related("course")
        .prefetch_related(
            "sections",
            Prefetch(
                "related",
                queryset=Lesson.objects.published().select_related("course").in_catalog_order(),
            ),
            Prefetch(
                "questions",
                queryset=Question.objects.current().prefetch_related("options"),
                to_attr="quiz_questions",
            ),
        ),
        course__slug=course,
        slug=lesson,
    )


def _page_context(lesson: Lesson) -> dict:
    """Everything on the page that is the same for every visitor."""
    course_lessons = list(
        Lesson.objects.published().filter(course=lesson.course).values_list("slug", flat=True)
    )
    position = lesson.catalog_position
    neighbours = {
        neighbour.catalog_position: neighbour
        for neighbour in Lesson.objects.published()
        .filter(catalog_position__in=[position - 1, position + 1])
        .select_related("course")
    }
    return {
        "lesson": lesson,
        "course": lesson.course,
        "sections": lesson.sections.all(),
        "related_lessons": lesson.related.all(),
        "lesson_total": Lesson.objects.published().count(),
        "previous_lesson": neighbours.get(position - 1),
        "next_lesson": neighbours.get(position + 1),
        "course_lesson_refs": " ".join(f"{lesson.course.slug}/{slug}" for slug in course_lessons),
        "course_total": len(course_lessons),
        "completion_text": lesson.course.completion_rule.describe(len(lesson.quiz_questions)),
        "has_quiz": bool(lesson.quiz_questions),
        "course_completed": 0,
        "course_percent": 0,
        "sections_read": set(),
        # The learning path's sections as plain dictionaries: it is rendered for each signed-in
        # learner, and a template looks a name up in a dictionary without first failing to
        # index a model instance (about a quarter of the path's CPU).
        "path_sections": [
            {"anchor": section.anchor, "heading": section.heading}
            for section in lesson.sections.all()
        ],
        "progress": None,
    }


@dataclass
class SharedPage:
    """The parts of one lesson page that are the same for every visitor, for one content
    version: read-only once built (each request copies ``context`` before adding to it)."""

    context: dict
    lesson: Lesson
    question_ids: list[int]
    # Per option order (variant): the presented quiz, whose token is a placeholder, and the
    # rendered form per sign-in state ("Your score saves to ..." differs), cut at its tokens.
    quizzes: dict[int, PresentedQuiz] = field(default_factory=dict)
    forms: dict[tuple[int, bool], Frame] = field(default_factory=dict)
    # The page as a signed-in learner sees it, rendered once with slots for their own parts.
    learner_frame: PartsFrame | None = None

    def quiz(self, variant: int, seed: str) -> PresentedQuiz:
        if variant not in self.quizzes:
            token_slot = page_slot("quiz-token")
            self.quizzes[variant] = present_quiz(
                questions=self.lesson.quiz_questions, token=token_slot, seed=seed
            )
        return self.quizzes[variant]


# Kept in each process, not in Django's cache: a signed-in page reads these objects on every
# request, and unpickling them from the cache cost about 1 ms of CPU a request (reading them
# from Redis, more). The key holds the content version, so an import is seen at once; a 404
# raises and is never kept. About 0.4 MB a lesson with the HTML of its shared parts (measured
# on the shipped lessons): the 64 most recently read lessons cost a worker about 25 MB.
@lru_cache(maxsize=64)
def shared_page(course: str, lesson: str, version: str) -> SharedPage:
    lesson_obj = _published_lesson(course, lesson)
    context = _page_context(lesson_obj)
    context["related_lessons"] = list(context["related_lessons"])
    context["sections"] = list(context["sections"])
    context["content_version"] = version
    # The parts of the page that are the same for every visitor, rendered once here rather than
    # read from a fragment cache on every page (a key hashed and a string unpickled for each).
    context["shared_html"] = {
        part: render_to_string(f"lessons/_lesson_{part}.html", context)
        for part in ("map", "body", "ways_on")
    }
    context["shared_html"]["breadcrumbs"] = render_to_string("lessons/_breadcrumbs.html", context)
    question_ids = [question.pk for question in lesson_obj.quiz_questions]
    return SharedPage(context=context, lesson=lesson_obj, question_ids=question_ids)


def lesson_detail(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    if get_messages(request):  # the messages box is this visitor's alone: a full render
        _, context = visited_page(request, course, lesson)
        return render(request, TEMPLATE, context)
    if not request.user.is_authenticated:
        return _anonymous_lesson(request, course, lesson)
    return learner_page(request, *visited_page(request, course, lesson))


def visited_page(request: HttpRequest, course: str, lesson: str) -> tuple[SharedPage, dict]:
    """The lesson's shared page and the template context for this visitor, whose visit it
    records when they are signed in."""
    version = content_version()
    page = shared_page(course, lesson, version)
    context = dict(page.context)
    # One masked CSRF token for every form on the page (the quiz, the tutor, signing out), as on
    # the anonymous page: masking varies the token between responses (against BREACH); masking
    # it again for each form of one response only cost another random string.
    context["csrf_token"] = get_token(request)
    if page.question_ids:
        context["quiz"], context["quiz_form_html"] = _learner_quiz(
            request, page, version, context["csrf_token"]
        )
    if request.user.is_authenticated:
        progress, completed = visit_lesson(
            learner=request.user, lesson=page.lesson, at=timezone.now()
        )
        total = context["course_total"]
        context.update(
            progress=progress,
            sections_read=set(progress.sections_read),
            course_completed=completed,
            course_percent=round(100 * completed / total) if total else 0,
        )
    return page, context


def learner_page(request: HttpRequest, page: SharedPage, context: dict) -> HttpResponse:
    """What ``render(request, TEMPLATE, context)`` gives, from the page's shared frame: only the
    template's ``{% learner_part %}`` regions are rendered for this request (about a third of
    the CPU of a full render)."""
    csrf_slot, form_slot = page_slot("csrf"), page_slot("quiz-form")
    frame = page.learner_frame
    if frame is None:
        shared = {**context, "csrf_token": csrf_slot, "quiz_form_html": form_slot}
        frame = page.learner_frame = render_frame(
            TEMPLATE,
            shared,
            request,
            values={"csrf": csrf_slot, "quiz-form": form_slot},
        )
    values = {"csrf": context["csrf_token"], "quiz-form": context.get("quiz_form_html", "")}
    return HttpResponse(frame.fill(values | fill_parts(frame, context, request, page.context)))


def _learner_quiz(
    request: HttpRequest, page: SharedPage, version: str, csrf_token: str
) -> tuple[object, str]:
    """One of the shared renderings of the quiz form, with this visitor's one-time token."""
    variant = secrets.randbelow(ANONYMOUS_VARIANTS)
    seed = f"{version}:{variant}"
    csrf_slot, token_slot = page_slot("csrf"), page_slot("quiz-token")
    quiz = page.quiz(variant, seed)
    key = (variant, request.user.is_authenticated)
    form = page.forms.get(key)
    if form is None:
        lesson = page.lesson
        context = {"quiz": quiz, "lesson": lesson, "course": lesson.course, "csrf_token": csrf_slot}
        html = render_to_string("quizzes/_quiz_form.html", context, request=request)
        form = page.forms[key] = Frame(html, {"csrf": csrf_slot, "quiz-token": token_slot})
    token = issue_token(
        lesson_id=page.lesson.pk, question_ids=page.question_ids, learner=request.user, seed=seed
    )
    return quiz, form.fill({"csrf": csrf_token, "quiz-token": token}).decode()


def _anonymous_lesson(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    variant = secrets.randbelow(ANONYMOUS_VARIANTS)
    frame, lesson_id, question_ids, seed = _anonymous_frame(
        request, course, lesson, content_version(), variant
    )
    tokens = {"csrf": get_token(request)}
    if question_ids:
        tokens["quiz-token"] = issue_token(
            lesson_id=lesson_id, question_ids=question_ids, learner=None, seed=seed
        )
    return HttpResponse(frame.fill(tokens))


# Kept in each process in front of Django's cache, which unpickles the 51 KB rendering on every
# read (and, with Redis, fetches it first): about 0.04 ms of CPU an anonymous page on the
# benchmark VM. Kept per content version, as the cache's keys are; a 404 raises and is never
# kept. As many lessons as shared_page keeps, in every variant: about 13 MB a worker.
ANONYMOUS_FRAMES = FrameStore(64 * ANONYMOUS_VARIANTS)


def _anonymous_frame(
    request: HttpRequest, course: str, lesson: str, version: str, variant: int
) -> tuple:
    """The anonymous page in one of its option orders, cut at its slots: (frame, the lesson's
    id, its question ids, the option-order seed). Rendered once for every process sharing the
    cache, read from it once by each."""
    local_key = (course, lesson, variant)
    found = ANONYMOUS_FRAMES.get(version, local_key)
    if found is not None:
        return found
    csrf_slot, token_slot = page_slot("csrf"), page_slot("quiz-token")
    # "frame-utf8": the rendering is kept cut at its slots, encoded (earlier versions kept other
    # shapes under other keys, which a server of this version must never read).
    # The slugs hashed: the URL takes slugs of any length, and a cache key may not be that long.
    slugs = hashlib.md5(f"{course}/{lesson}".encode(), usedforsecurity=False).hexdigest()
    key = f"page:lesson-frame-utf8:{slugs}:{version}:{variant}"
    cached = cache.get(key)
    if cached is None:
        page = shared_page(course, lesson, version)  # a 404 is never cached
        context = dict(page.context)
        seed = f"{version}:{variant}"
        if page.question_ids:
            context["quiz"] = page.quiz(variant, seed)
        context["csrf_token"] = csrf_slot
        html = render_to_string(TEMPLATE, context, request=request)
        # Cut at its slots: each request joins the text with its tokens in one pass, where
        # replacing each slot searched and copied the whole page (about 0.1 ms of CPU, a tenth
        # of the page, on the benchmark VM).
        frame = Frame(html, {"csrf": csrf_slot, "quiz-token": token_slot})
        cached = (frame, page.lesson.pk, page.question_ids, seed)
        cache.set(key, cached, PAGE_CACHE_SECONDS)
    ANONYMOUS_FRAMES.keep(version, local_key, cached)
    return cached


def asset(request: HttpRequest, course: str, path: str) -> FileResponse:
    """Serves an image that sits beside a published course's lessons, and nothing else."""
    suffix = Path(path).suffix.lower()
    if suffix not in LESSON_IMAGE_TYPES:
        raise Http404("Only images are served from lesson folders.")
    get_object_or_404(Course.objects.published(), slug=course)
    full_path = file_inside(Path(settings.CONTENT_DIR), course, path)
    if full_path is None:
        raise Http404("No such file.")
    content_type = mimetypes.guess_type(full_path.name)[0] or "application/octet-stream"
    response = FileResponse(full_path.open("rb"), content_type=content_type)
    # An SVG opened on its own must not run script in our origin.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=3600"
    return response
