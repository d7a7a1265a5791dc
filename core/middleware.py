"""Small project-wide middleware: request ids for logs, the Permissions-Policy header, the
Content-Security-Policy header built once, and a 400 for what no page can read: a header holding
a NUL, a Content-Length that is not a number, a form post in a character set the site does not
read, or an admin query string or list action holding what no row can match."""

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
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import BadRequest, ValidationError
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


# Methods that change nothing here: what they send is never stored.
_READS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def _refuse(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message.encode(), content_type="text/plain; charset=utf-8")


class RequestHeadersMiddleware:
    """Refuses a request whose headers no server should pass on, and forgets a session cookie
    that no session can have.

    gunicorn answers 400 itself to a header holding a NUL and to a Content-Length that is not a
    number; the development server and other WSGI servers pass both on. Django reads a body's
    length with ``int()`` (a ValueError: a 500), and a NUL in a header a write stores would
    reach the database (django-axes stores a sign-in's User-Agent and Accept; PostgreSQL
    refuses a NUL in text: a 500). Headers are scanned only on a request that can write: a GET
    stores none, and scanning every header costs each page view a few microseconds.

    A cookie value may spell a NUL as an octal escape inside quotes (``"ab\\000"``), which
    Django decodes, so it passes any header check, and Django looks any session key of 8
    characters or more up in the database. A key that is not 8 to 64 ASCII letters and digits
    (Django makes 32 lower-case ones) is dropped here before the session middleware sees it, as
    Django drops a short one: the visitor has no session, as with one that expired.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        meta = request.META
        length = meta.get("CONTENT_LENGTH")
        if length and not (length.isascii() and length.isdigit()):
            return _refuse(f"The Content-Length header is not a number ({length[:20]!r}).")
        if request.method not in _READS:
            for name, value in meta.items():
                if (name.startswith("HTTP_") or name == "CONTENT_TYPE") and "\x00" in value:
                    header = name.removeprefix("HTTP_").replace("_", "-").title()
                    return _refuse(f"The {header} header holds a NUL character.")
        key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if key is not None and not (8 <= len(key) <= 64 and key.isascii() and key.isalnum()):
            del request.COOKIES[settings.SESSION_COOKIE_NAME]
        return self.get_response(request)


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
            return _refuse(
                f"Forms must be sent as UTF-8 (this one declared charset={charset[:40]})."
            )
        return self.get_response(request)


class AdminBadInputMiddleware:
    """Refuses, with the site's 400 page, an admin page whose query string holds a NUL
    (``%00``) or a list action on ids that are no ids of the list's model.

    The admin filters a list by any field named in the query string (``?username=%00``, on
    Django's, django-axes' and our models alike), and PostgreSQL refuses a NUL in a query: a 500.
    A list action filters by the ids the form sends (``_selected_action``) without checking
    them: one that is not a number for a numeric key is a ValueError, a 500 on either database.
    No address or form the admin makes holds either. (The search box takes any text, NUL
    included.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        if request.resolver_match.app_name != "admin":
            return
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            raise BadRequest("The query string holds a NUL character.")
        model_admin = getattr(view_func, "model_admin", None)  # set by ModelAdmin.get_urls
        if request.method != "POST" or model_admin is None:
            return
        key = model_admin.model._meta.pk
        for value in request.POST.getlist(ACTION_CHECKBOX_NAME):
            try:
                if "\x00" in value:
                    raise ValidationError("NUL")
                key.to_python(value)
            except ValidationError:
                raise BadRequest(f"A list action names {value[:20]!r}, which is no id.") from None
