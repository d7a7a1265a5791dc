"""Ask the tutor: JSON for the page's script, a plain form POST for browsers without it."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from core import jsonbody, ratelimit
from courses.models import Lesson

from . import services
from .question_log import visitor_key
from .retrieval.answer import Citation

MAX_QUESTION_CHARS = 500
MAX_BODY_BYTES = 8 * 1024


class BadQuestion(Exception):
    pass


def _question_from(request: HttpRequest, *, is_json: bool) -> str:
    if is_json:
        try:
            data = jsonbody.parse(request.body)
        except jsonbody.BadJson as error:
            raise BadQuestion(f'The body must be JSON: {{"question": "..."}}. {error}') from None
        if not isinstance(data, dict) or "question" not in data:
            raise BadQuestion('The body must be a JSON object with a "question".')
        question = data["question"]
        if not isinstance(question, str):
            raise BadQuestion('"question" must be a string.')
    else:
        question = request.POST.get("question", "")
    # NUL can't be stored (PostgreSQL text refuses it) and never belongs in a question.
    question = question.replace("\x00", "")
    if not question.strip():
        raise BadQuestion("Please type a question.")
    if len(question) > MAX_QUESTION_CHARS:
        raise BadQuestion(f"Questions can be at most {MAX_QUESTION_CHARS} characters.")
    return question.strip()


CITATION_NUMBER = re.compile(r"” \[(\d+)\]")


def answer_text(answer: str) -> str:
    """The answer as shown: a citation number stays on the line of the quote it closes (as in
    tutor.js)."""
    return CITATION_NUMBER.sub("”\u00a0[\\1]", answer)


def sources(citations: tuple[Citation, ...]) -> list[tuple[str, list[tuple[int, Citation]]]]:
    """The citations grouped by section in order of first use, each with its number in the
    answer: the page names a section once, then links each quote taken from it (as tutor.js)."""
    groups: dict[str, list[tuple[int, Citation]]] = {}
    for number, citation in enumerate(citations, start=1):
        groups.setdefault(citation.section, []).append((number, citation))
    return list(groups.items())


def _rate_limit_keys(request: HttpRequest) -> list[str]:
    keys = [f"tutor:ip:{ratelimit.client_ip(request)}"]
    if request.session.session_key:
        keys.append(f"tutor:session:{request.session.session_key}")
    return keys


@require_http_methods(["GET", "POST"])
def ask(request: HttpRequest, course: str, lesson: str) -> HttpResponse:
    is_json = request.content_type == "application/json"
    is_form = request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
    lesson_obj = (
        Lesson.objects.published()
        .select_related("course")
        .filter(course__slug=course, slug=lesson)
        .first()
    )
    if request.method == "GET":
        # This address shows on the answer page without JavaScript: opened again as a page,
        # it leads to the lesson's tutor box rather than to an empty "method not allowed".
        if lesson_obj is None:
            raise Http404("No such lesson.")
        return redirect(f"{lesson_obj.get_absolute_url()}#tutor")
    if lesson_obj is None:
        if is_form:
            raise Http404("No such lesson.")
        return JsonResponse({"error": "No such lesson."}, status=404)
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY_BYTES:
        return _refuse(request, lesson_obj, "That question is too long.", 413, is_form)
    if not (is_json or is_form):
        return JsonResponse(
            {"error": 'Send JSON with Content-Type application/json: {"question": "..."}'},
            status=400,
        )
    try:
        question = _question_from(request, is_json=is_json)
    except BadQuestion as error:
        return _refuse(request, lesson_obj, str(error), 400, is_form)

    verdict = ratelimit.hit(_rate_limit_keys(request), limit=settings.TUTOR_RATE_LIMIT)
    if not verdict.allowed:
        response = _refuse(
            request,
            lesson_obj,
            "You're asking faster than the tutor can keep up. "
            f"Try again in {verdict.retry_after} seconds.",
            429,
            is_form,
        )
        response["Retry-After"] = str(verdict.retry_after)
        return response

    answer = services.ask(
        lesson=lesson_obj,
        question=question,
        learner=request.user,
        visitor=visitor_key(
            learner_id=request.user.pk if request.user.is_authenticated else None,
            address=ratelimit.client_ip(request),
            secret=settings.SECRET_KEY,
        ),
    )
    if is_form:
        context = {
            "lesson": lesson_obj,
            "course": lesson_obj.course,
            "question": question,
            "answer": answer,
            "answer_text": answer_text(answer.answer),
            "sources": sources(answer.citations),
        }
        return render(request, "tutor/answer.html", context)
    return JsonResponse(
        {
            "answer": answer.answer,
            "grounded": answer.grounded,
            "citations": [
                {"section": c.section, "anchor": c.anchor, "quote": c.quote}
                for c in answer.citations
            ],
        }
    )


def _refuse(
    request: HttpRequest, lesson: Lesson, message: str, status: int, is_form: bool
) -> HttpResponse:
    if is_form:
        context = {"lesson": lesson, "course": lesson.course, "error": message}
        return render(request, "tutor/answer.html", context, status=status)
    return JsonResponse({"error": message}, status=status)
