"""Whether the site's menu shows a learner the Reports link, on every signed-in page.

The link needs the learner's permissions, two queries a page that almost always say no. The
answer is kept in the cache under a generation number that every change to who holds which
permission moves (a user's groups or permissions, a group's permissions, a group or permission
deleted), so a granted or revoked permission shows on the next page. With Redis (production)
every process sees the new generation at once; with a per-process cache (a single-process trial,
the benchmark) other processes may lag by up to ``REMEMBER_SECONDS``. The Reports pages
themselves check the permission on every request (reports.permissions).
"""

from __future__ import annotations

import uuid

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete
from django.dispatch import receiver

from .permissions import can_view_reports

GENERATION_KEY = "menu:reports:generation"
REMEMBER_SECONDS = 300


def shows_reports(user) -> bool:
    """reports.permissions.can_view_reports, remembered per user (see the module's note)."""
    if not user.is_authenticated:
        return False
    if not user.is_active or user.is_staff:
        return can_view_reports(user)  # decided without a query
    key = f"menu:reports:{user.pk}"
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:  # never set, or fell out of the cache: a new one trusts nothing older
        cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
        generation = cache.get(GENERATION_KEY)
    remembered = found.get(key)
    if generation is not None and remembered is not None and remembered[0] == generation:
        return remembered[1]
    allowed = can_view_reports(user)
    if generation is not None:  # None: the cache is unreachable, so nothing is remembered
        cache.set(key, (generation, allowed), REMEMBER_SECONDS)
    return allowed


def forget_all() -> None:
    """A new generation: every remembered answer is asked again."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


User = get_user_model()


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="reports.menu.user_groups")
@receiver(m2m_changed, sender=User.user_permissions.through, dispatch_uid="reports.menu.user_perms")
@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="reports.menu.group_perms")
def _permissions_changed(sender, action: str, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        forget_all()


@receiver(post_delete, sender=Group, dispatch_uid="reports.menu.group_deleted")
@receiver(post_delete, sender=Permission, dispatch_uid="reports.menu.permission_deleted")
def _holder_deleted(sender, **kwargs) -> None:
    forget_all()
