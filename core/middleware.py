"""Small project-wide middleware: request ids for logs, the Permissions-Policy header, the
Content-Security-Policy header built once, and a 400 for form posts in a character set the site
does not read or an admin query string holding a NUL."""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from functools import lru_cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.exceptions import BadRequest
from django.core.signals import setting_changed
from django.dispatch import receiver
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
        # From META, not request.headers: building that mapping of every header cost about
        # 15 µs of CPU on each request, and nothing else an anonymous GET runs reads it.
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
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


# What a view or decorator can set to change one response's policy (django-csp's decorators).
_PER_RESPONSE_POLICY = (
    "_csp_config", "_csp_update", "_csp_replace",
    "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro",
)  # fmt: skip


# Each header with the response attribute that exempts it and the setting that may exclude paths.
_HEADERS = (
    (HEADER, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
    (HEADER_REPORT_ONLY, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
)


@lru_cache(maxsize=1)
def _site_policies() -> tuple[str, str]:
    """The Content-Security-Policy and its report-only twin, from the settings."""
    return build_policy(), build_policy(report_only=True)


@receiver(setting_changed, dispatch_uid="core.middleware.csp_settings")
def _forget_site_policies(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policies.cache_clear()


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the site's policy built once instead of for every response.

    django-csp rebuilds the header from the settings each time: about 0.15 ms of CPU on the
    benchmark VM, a tenth of a cached anonymous lesson page. No page here changes the policy
    or asks for a nonce; a response that does (django-csp's decorators, ``request.csp_nonce``)
    is handled by django-csp itself, as is the DEBUG error page.
    """

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE_POLICY)
            or (settings.DEBUG and response.status_code in (404, 500))
        ):
            return super().process_response(request, response)
        for (header, exempt, setting_name), value in zip(_HEADERS, _site_policies(), strict=True):
            if not value or header in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (getattr(settings, setting_name, None) or {}).get("EXCLUDE_URL_PREFIXES")
            if not request.path_info.startswith(tuple(prefixes or ())):
                response[header] = value
        # As django-csp: asking for a nonce after the header is written is an error, not a
        # nonce silently missing from the policy.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
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


class AdminNulQueryMiddleware:
    """Refuses an admin page whose query string holds a NUL (``%00``) with the site's 400 page.

    The admin filters a list by any field named in the query string (``?username=%00``, on
    Django's, django-axes' and our models alike), and PostgreSQL refuses a NUL in a query: a 500.
    No address the admin makes holds one. (The search box takes any text, NUL included.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        query = request.META.get("QUERY_STRING", "")
        if ("%00" in query or "\x00" in query) and request.resolver_match.app_name == "admin":
            raise BadRequest("The query string holds a NUL character.")
