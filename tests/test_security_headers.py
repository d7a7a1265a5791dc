"""The Content-Security-Policy header: built once, and the same as django-csp builds it.

tests/test_production.py checks every security header under gunicorn; these check the
middleware that writes this one from the settings once per process.
"""

from __future__ import annotations

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE, SELF
from csp.decorators import csp_exempt, csp_update
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from core.middleware import ContentSecurityPolicyMiddleware


def directives(header: str) -> dict[str, str]:
    """A policy as its directives: django-csp orders them as a set does."""
    return dict(part.split(" ", 1) for part in header.split("; "))


def headers_from(middleware_class, view, path: str = "/") -> dict[str, str]:
    request = RequestFactory().get(path)
    middleware = middleware_class(view)
    response = middleware(request)
    return {name: response[name] for name in (HEADER, HEADER_REPORT_ONLY) if name in response}


def plain(request):
    return HttpResponse("ok")


@csp_update({"img-src": ["https://images.example"]})
def updated(request):
    return HttpResponse("ok")


@csp_exempt()
def exempt(request):
    return HttpResponse("ok")


def with_nonce(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


@pytest.mark.parametrize("view", [plain, updated, exempt, with_nonce])
def test_every_response_gets_the_header_django_csp_would_give_it(view, settings):
    site = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**site, "script-src": [SELF, NONCE]}}
    for _ in range(2):  # built, then remembered
        ours = headers_from(ContentSecurityPolicyMiddleware, view)
        theirs = headers_from(CSPMiddleware, view)
        assert ours.keys() == theirs.keys()
        if HEADER in ours and view is not with_nonce:  # a nonce is new every time
            assert directives(ours[HEADER]) == directives(theirs[HEADER])
    if view is with_nonce:
        assert "'nonce-" in ours[HEADER]
    if view is updated:
        assert "https://images.example" in ours[HEADER]
    if view is exempt:
        assert HEADER not in ours


def test_the_site_policy_is_strict_and_follows_a_settings_change(settings):
    policy = directives(headers_from(ContentSecurityPolicyMiddleware, plain)[HEADER])
    assert policy["script-src"] == "'self'" and policy["object-src"] == "'none'"
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": [SELF]}}
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": [SELF]},
        "EXCLUDE_URL_PREFIXES": ["/healthz/"],
    }
    sent = headers_from(ContentSecurityPolicyMiddleware, plain)
    assert sent == {HEADER: "default-src 'self'", HEADER_REPORT_ONLY: "default-src 'self'"}
    assert HEADER not in headers_from(ContentSecurityPolicyMiddleware, plain, "/healthz/")


def test_a_nonce_asked_for_after_the_header_is_written_is_an_error():
    from csp.exceptions import CSPNonceError

    request = RequestFactory().get("/")
    ContentSecurityPolicyMiddleware(plain)(request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
