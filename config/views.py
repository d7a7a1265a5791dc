"""Operational endpoints, and the page for a form whose CSRF token no longer matches."""

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database and the cache both answer, else 503 naming what failed."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:  # any failure means "not healthy"; the message says which
        checks["database"] = f"error: {error.__class__.__name__}"
    try:
        # A key of its own: checks running at once on several workers and hosts share the
        # cache, and one key would let each read back another's probe.
        probe = uuid.uuid4().hex
        key = f"health-probe:{probe}"
        cache.set(key, probe, timeout=10)
        checks["cache"] = "ok" if cache.get(key) == probe else "error: no read-back"
        cache.delete(key)
    except Exception as error:
        checks["cache"] = f"error: {error.__class__.__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers ask for /favicon.ico wherever a page names no icon (the admin's pages). The
    static URL is looked up per request: with hashed static names it exists only after
    collectstatic, which must not be needed to load the URLconf."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


STALE_FORM = (
    "You signed in or out since the form's page was loaded, or your browser did not send this "
    "site's cookie: nothing from the form was saved."
)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """Django's CSRF check failed (settings.CSRF_FAILURE_VIEW). Mostly a page left open across
    a sign-in, which rotates the token: say so in the site's layout, or as JSON to the scripts
    that send the quiz and the tutor's questions, instead of Django's page for developers."""
    if "application/json" in request.headers.get("Accept", ""):
        error = f"This form has expired. {STALE_FORM} Please reload the page and send it again."
        return JsonResponse({"error": error}, status=403)
    return render(request, "403_csrf.html", {"message": STALE_FORM}, status=403)
