"""Small project-wide middleware: request ids for logs, the Permissions-Policy header, and a
400 for form posts in a character set the site does not read."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Features the site never uses; denying them limits what injected content could ask for.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
    "payment=(), usb=(), interest-cohort=()"
)


class RequestIdMiddleware:
    """Gives each request an id (the proxy's X-Request-ID if sane), in logs and the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        value = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        token = request_id.set(value)
        request.request_id = value
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = value
        return response


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every log record, so an error can be traced to its request."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
UTF8_NAMES = frozenset({"utf-8", "utf8", "us-ascii", "ascii"})


class FormCharsetMiddleware:
    """Refuses a form POST that declares a charset other than UTF-8.

    Django decodes such a body in the declared charset the first time anything reads
    request.POST (the CSRF check does), and a body that is not valid in it raises there: a 500
    for what is the sender's mistake. Every form on the site is sent as UTF-8.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        charset = request.content_params.get("charset", "").strip().lower()
        if charset and charset not in UTF8_NAMES and request.content_type in FORM_TYPES:
            return HttpResponseBadRequest(
                f"Forms must be sent as UTF-8 (this one declared charset={charset[:40]}).".encode(),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
