"""Submitting a quiz (plain form POST or fetch with JSON back) and reviewing an attempt."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from courses.models import Lesson

from .models import Attempt
from .services import (
    QuizError,
    answers_seen,
    parse_answers,
    present_quiz,
    questions_for,
    read_token,
    receipt_for,
    remember_answers_seen,
    submit_attempt,
)

MAX_BODY_BYTES = 64 * 1024
SESSION_ATTEMPTS = "quiz_attempts"


def _lesson(course: str, lesson: str) -> Lesson:
    return get_object_or_404(
        Lesson.objects.published().select_related("course"), course__slug=course, slug=lesson
    )


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _error(request: HttpRequest, lesson: Lesson, message: str, status: int) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    context = {"lesson": lesson, "course": lesson.course, "message": message}
    return render(request, "quizzes/quiz_error.html", context, status=status)


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    lesson_obj = _lesson(course, lesson)
    if request.method == "GET":
        # This address shows after a submission without JavaScript: opened again as a page,
        # it leads to the quiz rather than to an empty "method not allowed".
        return redirect(f"{lesson_obj.get_absolute_url()}#quiz")
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return _error(request, lesson_obj, "That submission is too large.", 413)
    try:
        token = read_token(request.POST.get("token", ""))
        questions = questions_for(token, lesson_obj)
        fields = {name: request.POST.getlist(name) for name in request.POST if name != "token"}
        fields.pop("csrfmiddlewaretoken", None)
        fields.pop("submit_incomplete", None)
        answers = parse_answers(fields, questions, seed=token.seed)
    except QuizError as error:
        return _error(request, lesson_obj, str(error), error.status)

    unanswered = frozenset(q.pk for q in questions if q.pk not in answers)
    if unanswered and not request.POST.get("submit_incomplete"):
        quiz = present_quiz(
            questions=questions,
            token=request.POST["token"],
            seed=token.seed,
            selected=answers,
            unanswered=unanswered,
        )
        if _wants_json(request):
            return JsonResponse(
                {
                    "error": "unanswered",
                    "message": quiz.unanswered_message,
                    "unanswered": [f"q{pk}" for pk in sorted(unanswered)],
                },
                status=400,
            )
        context = {"lesson": lesson_obj, "course": lesson_obj.course, "quiz": quiz}
        return render(request, "quizzes/quiz_incomplete.html", context, status=400)

    try:
        attempt, created = submit_attempt(
            learner=request.user, lesson=lesson_obj, token=token, questions=questions,
            answers=answers, after_answers_seen=answers_seen(request.session, lesson_obj),
        )  # fmt: skip
    except QuizError as error:
        return _error(request, lesson_obj, str(error), error.status)
    remember_answers_seen(request.session, lesson_obj)  # the result shows the right answers
    if attempt.learner_id is None:
        seen = request.session.get(SESSION_ATTEMPTS, [])
        if str(attempt.public_id) not in seen:
            request.session[SESSION_ATTEMPTS] = [*seen, str(attempt.public_id)][-200:]
    if _wants_json(request):
        return JsonResponse(
            {
                "attempt": str(attempt.public_id),
                "lesson": lesson_obj.pk,
                "score": attempt.score,
                "total": attempt.total,
                "duplicate": not created,
                "receipt": receipt_for(attempt),
                "url": attempt.get_absolute_url(),
                "html": render_to_string(
                    "quizzes/_result.html",
                    {"attempt": attempt, "lesson": lesson_obj},
                    request=request,
                ),
            }
        )
    # 303: the browser follows with a GET, so a reload never re-posts the answers.
    # The fragment makes the result page open at the score rather than at the page's top.
    response = HttpResponseRedirect(f"{attempt.get_absolute_url()}#quiz-score")
    response.status_code = 303
    return response


def attempt_detail(request: HttpRequest, course: str, lesson: str, attempt) -> HttpResponse:
    lesson_obj = _lesson(course, lesson)
    attempt_obj = Attempt.objects.filter(public_id=attempt, lesson=lesson_obj).first()
    if attempt_obj is None or not _may_see(request, attempt_obj):
        raise Http404("No such attempt.")
    remember_answers_seen(request.session, lesson_obj)
    return render(
        request,
        "quizzes/attempt_detail.html",
        {
            "attempt": attempt_obj,
            "lesson": lesson_obj,
            "course": lesson_obj.course,
            "receipt": receipt_for(attempt_obj) if attempt_obj.learner_id is None else "",
        },
    )


def _may_see(request: HttpRequest, attempt: Attempt) -> bool:
    if attempt.learner_id is not None:
        return attempt.learner_id == request.user.pk
    return str(attempt.public_id) in request.session.get(SESSION_ATTEMPTS, [])
