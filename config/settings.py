"""Django settings for Glassbox.

Every setting that differs between a laptop and a server is read from the environment, so the
same code runs under `make run` (embedded SQLite, debug on) and in production.
"""

import math
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    normalized = value.strip().lower()
    if normalized in {"1", "true", "yes", "on"}:
        return True
    if normalized in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_number(name: str, default: int | float, expected: str = "") -> int | float:
    """The number in `name`, of the type of `default` (an int takes whole numbers only), or
    `default` when unset or blank. Anything else stops the start, saying what was expected."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    kind = type(default)
    try:
        number = kind(value.strip())
    except ValueError:
        number = None
    if number is None or not math.isfinite(number):
        expected = expected or ("a whole number" if kind is int else "a number")
        raise ImproperlyConfigured(
            f"{name} must be {expected} (default {default}), got {value!r}"
        ) from None
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# ---------------------------------------------------------------------------------------------
# Core
# ---------------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", False)

# A fixed key is only acceptable for local development and tests; config.settings_production
# refuses to start without a real one.
SECRET_KEY = os.environ.get("SECRET_KEY") or "glassbox-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    # Lowest layer first; each app may import only the ones listed before it (docs/architecture.md).
    "core",
    "courses",
    "quizzes",
    "tutor",
    "search",
    "lessons",
    "accounts",
    "reports",
]

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.PermissionsPolicyMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",  # django-csp's, the policy built once
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads request.POST (sessions, CSRF), after the security headers.
    "core.middleware.RequestHeadersMiddleware",
    "core.middleware.FormCharsetMiddleware",
    "core.middleware.AdminBadInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the lock-out flag the sign-in attempt set and answers with its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
# A form whose CSRF token no longer matches (a page left open across a sign-in) gets the site's
# page saying to reload, or JSON for the quiz's and tutor's scripts, not Django's developer page.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # {% url %} remembering its answers (see the module): loaded after Django's own
            # builtins, so its tag replaces theirs in every template.
            "builtins": ["core.templatetags.remembered_urls"],
        },
    },
]

# ---------------------------------------------------------------------------------------------
# Database
# ---------------------------------------------------------------------------------------------
# PostgreSQL: how many times a connection runs a statement before psycopg prepares it (psycopg's
# own default, 5); "off" never prepares, for a connection pooler that cannot keep prepared
# statements (docs/deploy.md).
if os.environ.get("PG_PREPARE_THRESHOLD", "").strip() == "off":
    PG_PREPARE_THRESHOLD = None
else:
    PG_PREPARE_THRESHOLD = env_number("PG_PREPARE_THRESHOLD", 5, "a whole number or off")
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_number("CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters sent apart from the statement, and a statement a connection has run
    # PG_PREPARE_THRESHOLD times prepared on the server (psycopg's automatic preparation): with
    # persistent connections (CONN_MAX_AGE in production) a worker's searches and lesson pages
    # then skip PostgreSQL's parsing and, where its generic plan is no dearer, its planning,
    # which for most of them cost more than the work (docs/benchmarks.md, session 17
    # `pgprepare`). PostgreSQL plans a prepared statement again when a table or index it
    # reads changes, so imports and migrations in other processes need no restart.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=PG_PREPARE_THRESHOLD
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend plus PRAGMA optimize before each connection closes (planner statistics
    # that keep up with growing tables; core/backends/sqlite3).
    DATABASES["default"]["ENGINE"] = "core.backends.sqlite3"
    # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write lock when a
    # transaction starts, so concurrent writers queue on the busy timeout instead of failing
    # half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not Django's default in-memory database, so concurrency tests exercise the same
    # locking as the real thing; one per process, so two test runs never share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------------------------
# Cache and sessions: Redis when REDIS_URL is set (shared by every process), else per process
# ---------------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# After Redis fails, each process serves without it for this long before trying it again.
REDIS_RETRY_SECONDS = env_number("REDIS_RETRY_SECONDS", 5.0)
if REDIS_URL:
    _redis = {
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "glassbox",
        # A dead or hanging Redis must cost a fraction of a second, not a request timeout.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
    CACHES = {
        # Pages, lesson indexes and sessions: a miss while Redis is down (core/cache.py).
        "default": {"BACKEND": "core.cache.ResilientRedisCache", **_redis},
        # Rate-limit counters: errors reach core/ratelimit.py, which counts locally meanwhile.
        "limits": {"BACKEND": "django.core.cache.backends.redis.RedisCache", **_redis},
    }
    # Sessions live in Redis for speed and in the database for durability.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # Django's database sessions, read with one prepared statement (core/sessions.py).
    SESSION_ENGINE = "core.sessions"
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "limits": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "limits",
        },
    }

# ---------------------------------------------------------------------------------------------
# Security headers (every mode, so tests see what production sends)
# ---------------------------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# How many proxies in front of the app append to X-Forwarded-For; 0 trusts only REMOTE_ADDR,
# so a client cannot choose its own address (and escape a rate limit) by sending the header.
TRUSTED_PROXY_COUNT = env_number("TRUSTED_PROXY_COUNT", 0)

# ---------------------------------------------------------------------------------------------
# Auth
# ---------------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in limits (django-axes, counted in the database; see accounts/signin.py and docs/deploy.md):
# every sign-in path, /accounts/login/ and /admin/login/ alike, goes through AxesBackend.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.AccountBackend",  # Django's ModelBackend, reading the user cheaply
]
SIGN_IN_FAILURES_PER_ACCOUNT = 5
SIGN_IN_FAILURES_PER_ADDRESS = 20
AXES_HANDLER = "accounts.signin.AtomicDatabaseHandler"
AXES_FAILURE_LIMIT = SIGN_IN_FAILURES_PER_ACCOUNT
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.signin.identity"
AXES_CLIENT_IP_CALLABLE = "accounts.signin.client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# Password reset mails and new accounts per address (and reset mails per address asked for).
PASSWORD_RESET_RATE_LIMIT = env_number("PASSWORD_RESET_RATE_LIMIT", 5)
SIGN_UP_RATE_LIMIT = env_number("SIGN_UP_RATE_LIMIT", 10)
# Keep each page of search results (ranked ids and count) in the cache per content version.
# Off only to measure the uncached query (bench/b_search.py).
SEARCH_CACHE_RESULTS = env_bool("SEARCH_CACHE_RESULTS", True)
# Results a search offers at most ("more than 100 lessons match"): counting every match of a
# common word costs as much as ranking them, and nobody pages past the tenth page.
SEARCH_MAX_RESULTS = env_number("SEARCH_MAX_RESULTS", 100)

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "lessons:my_learning"
LOGOUT_REDIRECT_URL = "lessons:catalog"

# Password-reset mail goes to the console unless an SMTP host is configured.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_number("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Glassbox <no-reply@localhost>")

# ---------------------------------------------------------------------------------------------
# Internationalization
# ---------------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# ---------------------------------------------------------------------------------------------
# Static files (whitenoise serves them in every mode)
# ---------------------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
WHITENOISE_USE_FINDERS = True

# ---------------------------------------------------------------------------------------------
# Glassbox
# ---------------------------------------------------------------------------------------------
CONTENT_DIR = Path(os.environ.get("CONTENT_DIR", BASE_DIR / "content")).resolve()

# Questions per minute per session and per IP address; 0 turns the limit off (load tests).
TUTOR_RATE_LIMIT = env_number("TUTOR_RATE_LIMIT", 20)

# The tutor-gaps report lists answers given with a confidence below this, beside the declined
# questions: where the tutor answered but struggled. Keep it above the tutor's own threshold
# for answering at all, or nothing is listed. The tutor's confidences are exact below it (above
# it they may be lower bounds, still above it: tutor.retrieval.answer_question).
TUTOR_LOW_CONFIDENCE = env_number("TUTOR_LOW_CONFIDENCE", 0.7)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
