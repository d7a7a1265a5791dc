"""Sign-in limits on django-axes, counted in the database so every worker and host shares them.

Axes normally checks the count before the password hash and records a failure after it, so
guesses sent at the same moment all pass the check. Here an attempt is counted *before* the
password is checked, under a lock per identity and per address: of any number of parallel
guesses, at most the limit reach the password check. A successful sign-in gives back the
account's count; it never clears the address's count (signing into one's own account must
not buy more guesses at other accounts).

One identity per person: the username as Django compares it (NFKC-normalised, stripped), then
case-folded, so "ｖｉｃｔｉｍ１", "Victim1" and "victim1" share one counter.
"""

from __future__ import annotations

import hashlib
import ipaddress
import unicodedata

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_credentials
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Sum
from django.utils import timezone

from core import ratelimit

MAX_IDENTITY = 150  # Django's username length; AccessAttempt.username holds 255


def identity(request, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: the one name every spelling of a username counts against."""
    field = settings.AXES_USERNAME_FORM_FIELD
    raw = (credentials or {}).get(field)
    if raw is None and request is not None:
        raw = getattr(request, "POST", {}).get(field)
    text = unicodedata.normalize("NFKC", str(raw or "")).strip()
    return unicodedata.normalize("NFKC", text.casefold())[:MAX_IDENTITY]


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same address the other limits use, if it is an address."""
    try:
        return str(ipaddress.ip_address(ratelimit.client_ip(request)))
    except ValueError:
        return None


def _lock(names: list[str]) -> None:
    """Serialises counting for these names until the transaction ends.

    PostgreSQL: advisory locks, always taken in the same order so two requests never deadlock.
    SQLite: the transaction is IMMEDIATE (see settings), which already serialises writers.
    """
    if connection.vendor != "postgresql":
        return
    keys = sorted(
        int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
        for name in names
    )
    with connection.cursor() as cursor:
        for key in keys:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


class AtomicDatabaseHandler(AxesDatabaseHandler):
    """Counts before checking; see the module docstring."""

    def _counts(self, username: str, ip_address: str | None) -> tuple[int, int]:
        since = timezone.now() - settings.AXES_COOLOFF_TIME
        recent = AccessAttempt.objects.filter(attempt_time__gte=since)
        account = recent.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"]
        address = 0
        if ip_address is not None:
            address = recent.filter(ip_address=ip_address).aggregate(n=Sum("failures_since_start"))[
                "n"
            ]
        return account or 0, address or 0

    def _over_limit(self, username: str, ip_address: str | None) -> bool:
        account, address = self._counts(username, ip_address)
        return (
            account >= settings.SIGN_IN_FAILURES_PER_ACCOUNT
            or address >= settings.SIGN_IN_FAILURES_PER_ADDRESS
        )

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return self._over_limit(get_client_username(request, credentials), request.axes_ip_address)

    def is_allowed(self, request, credentials: dict | None = None) -> bool:
        if credentials is None:  # a check without a sign-in attempt: count nothing
            return super().is_allowed(request, credentials)
        if self.is_blacklisted(request, credentials):
            request.axes_locked_out = True
            return False
        if self.is_whitelisted(request, credentials):
            return True
        username = get_client_username(request, credentials)
        ip_address = request.axes_ip_address
        with transaction.atomic():
            _lock([f"account:{username}", f"address:{ip_address}"])
            expired = timezone.now() - settings.AXES_COOLOFF_TIME
            AccessAttempt.objects.filter(attempt_time__lt=expired).delete()
            if self._over_limit(username, ip_address):
                request.axes_locked_out = True
                return False
            self._count(request, username, ip_address)
        request.glassbox_counted = True
        return True

    def _count(self, request, username: str, ip_address: str | None) -> None:
        row, created = AccessAttempt.objects.get_or_create(
            username=username,
            ip_address=ip_address,
            user_agent=request.axes_user_agent,
            defaults={
                "get_data": "",
                "post_data": "",
                "http_accept": request.axes_http_accept,
                "path_info": request.axes_path_info,
                "failures_since_start": 1,
            },
        )
        if not created:
            AccessAttempt.objects.filter(pk=row.pk).update(
                failures_since_start=F("failures_since_start") + 1,
                attempt_time=timezone.now(),
                path_info=request.axes_path_info,
            )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return
        if getattr(request, "axes_locked_out", False):
            # Refused before the password was checked; the middleware shows the lock-out page.
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )
            return
        if getattr(request, "glassbox_counted", False):
            return  # counted already, before the password check
        super().user_login_failed(sender, credentials, request, **kwargs)

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        username = get_client_username(request, get_credentials(user.get_username()))
        AccessAttempt.objects.filter(username=username).delete()
