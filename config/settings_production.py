"""Production settings: everything in config.settings, hardened. `make serve` uses these.

Every value comes from the environment; see docs/deploy.md. `manage.py check --deploy` reports
nothing with the defaults here.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import env_bool, env_list, env_number

DEBUG = False

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(64))'"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names the site answers to.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
if not REDIS_URL and not env_bool("RATE_LIMITS_PER_PROCESS", False):  # noqa: F405
    # Without a shared store each gunicorn worker would count the tutor's, sign-up's and
    # password reset's limits on its own: four workers, four times the limit.
    raise ImproperlyConfigured(
        "REDIS_URL must be set (e.g. redis://127.0.0.1:6379/0): rate limits are counted in "
        "Redis so that every worker and host shares them. Sign-in limits are counted in the "
        "database either way. (RATE_LIMITS_PER_PROCESS=1 accepts per-process limits, for a "
        "single-process trial or a benchmark only.)"
    )

# TLS ends at the proxy, which says so in X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
SECURE_HSTS_SECONDS = env_number("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Collected, compressed, content-hashed static files (collectstatic runs in `make serve`), each
# URL looked up once per process (core/storage.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "core.storage.RememberingManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
WHITENOISE_MAX_AGE = 31536000

CONN_MAX_AGE = env_number("CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_MAX_AGE"] = CONN_MAX_AGE  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

LOGGING["root"]["level"] = os.environ.get("LOG_LEVEL", "INFO")  # noqa: F405
