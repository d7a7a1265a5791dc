"""Sessions signed in before accounts.backends existed name Django's ModelBackend, which is no
longer listed in AUTHENTICATION_BACKENDS: Django would treat them as signed out. They are
rewritten to name AccountBackend (the same sign-in, a cheaper user read), and their cached
copies (the cached_db engine with Redis) are dropped so the next request reads the new one."""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.backends.db import SessionStore
from django.core.cache import caches
from django.db import migrations
from django.utils import timezone

BACKEND_KEY = "_auth_user_backend"
OLD = "django.contrib.auth.backends.ModelBackend"
NEW = "accounts.backends.AccountBackend"
BATCH = 1000


def _rename(apps, schema_editor, before: str, after: str) -> None:
    Session = apps.get_model("sessions", "Session")
    # Encodes and decodes as every store does: the signing salt is the class name, the same
    # (SessionStore) for each of Django's engines and for core.sessions.
    codec = SessionStore()
    rows = Session.objects.using(schema_editor.connection.alias).filter(
        expire_date__gt=timezone.now()
    )
    changed = []
    for session in rows.iterator(chunk_size=BATCH):
        data = codec.decode(session.session_data)
        if data.get(BACKEND_KEY) == before:
            data[BACKEND_KEY] = after
            session.session_data = codec.encode(data)
            changed.append(session)
    Session.objects.using(schema_editor.connection.alias).bulk_update(
        changed, ["session_data"], batch_size=BATCH
    )
    if settings.SESSION_ENGINE.endswith("cached_db"):
        cache = caches[settings.SESSION_CACHE_ALIAS]
        keys = [KEY_PREFIX + session.session_key for session in changed]
        for start in range(0, len(keys), BATCH):
            cache.delete_many(keys[start : start + BATCH])


def forwards(apps, schema_editor):
    _rename(apps, schema_editor, OLD, NEW)


def backwards(apps, schema_editor):
    _rename(apps, schema_editor, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [("sessions", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
