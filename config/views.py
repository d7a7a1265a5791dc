"""Operational endpoints."""

import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponsePermanentRedirect, JsonResponse
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
