import os

import pytest


@pytest.fixture
def content_root(tmp_path, settings):
    """An empty content folder that the site reads as CONTENT_DIR."""
    root = tmp_path / "content"
    root.mkdir()
    settings.CONTENT_DIR = root
    return root


@pytest.fixture
def lesson(content_root, db):
    """The first of two imported lessons of one course (tests.factories.make_tree)."""
    from courses.importer import import_content
    from courses.models import Lesson
    from tests.factories import make_tree

    make_tree(content_root, lessons=2)
    import_content(content_root)
    return Lesson.objects.get(slug="lesson-1")


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate-limit counters and cached pages live in the cache; each test starts with none (and
    with none of the lesson pages' shared parts or anonymous renderings, the search page's
    frames and filter choices, what a one-word search's prefix stands for, or how many lessons
    each word of a search matches, that each process keeps per content version: tests writing
    search rows without an import keep one version)."""
    from django.core.cache import caches

    from core import ratelimit
    from lessons.views import ANONYMOUS_FRAMES, shared_page
    from search.engine import _frequency, _lexemes
    from search.page import FRAMES
    from search.services import filter_choices_for

    for store in (caches["default"], caches["limits"], ratelimit._local):
        store.clear()
    shared_page.cache_clear()
    ANONYMOUS_FRAMES.clear()
    FRAMES.clear()
    filter_choices_for.cache_clear()
    _lexemes.cache_clear()
    _frequency.cache_clear()
    yield
    for store in (caches["default"], caches["limits"], ratelimit._local):
        store.clear()
    shared_page.cache_clear()
    ANONYMOUS_FRAMES.clear()
    FRAMES.clear()
    filter_choices_for.cache_clear()
    _lexemes.cache_clear()
    _frequency.cache_clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2's deliberate slowness is for real passwords; tests only need a working hasher."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_content_version(monkeypatch):
    """Each test starts with no remembered content version, and keeps the one it reads (an
    import forgets it explicitly), so query counts never depend on how fast the machine is."""
    from courses import caching

    caching.forget_content_version()
    monkeypatch.setattr(caching, "REFRESH_SECONDS", 3600)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgresql`` check what only PostgreSQL has, those marked ``sqlite`` what
    only SQLite has: on the other database they are deselected (make test and make
    test-postgres between them run both), never collected only to be skipped."""
    from django.db import connection

    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    kept = [item for item in items if item.get_closest_marker(other) is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture
def sentence_encoder_on():
    """For a test of the tutor's sentence encoder, or one gated on figures measured with it
    (tests/tutor_eval/baseline.json): the encoder is on for that test even in a run with
    TUTOR_SEMANTIC=0, which every other test honours. Such a test then neither fails because the
    encoder was switched off nor is skipped; a missing encoder still fails it, saying so. A run
    with the encoder on, as in CI, is unchanged."""
    from tutor.retrieval import semantic

    if os.environ.get("TUTOR_SEMANTIC", "1") != "0":
        yield
        return
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("TUTOR_SEMANTIC", "1")
            semantic.encoder.cache_clear()
            yield
    finally:
        semantic.encoder.cache_clear()
