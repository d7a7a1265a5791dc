"""{% url %} and {% static %} remember their answers per process, and answer as Django would."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.template import Context, Engine, Template
from django.urls import NoReverseMatch, set_script_prefix

from core.storage import RememberingManifestStaticFilesStorage
from core.templatetags.remembered_urls import _reverse


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


URL_CASES = [
    ('{% url "lessons:detail" course=course lesson="lesson-1" %}', {"course": "black-box"}),
    ('{% url "lessons:concept" "a&b c" %}', {}),
    ('{% url "lessons:concept" slug %}', {"slug": "x"}),
    ('{% url "lessons:concept" slug %}', {"slug": 7}),
    ('{% url "lessons:catalog" as link %}[{{ link }}]', {}),
    ('{% url "nope:nothing" as link %}[{{ link }}]', {}),
    ('{% autoescape off %}{% url "lessons:concept" "a&b" %}{% endautoescape %}', {}),
    ('{% url "lessons:asset" course="c" path=path %}', {"path": "img/a b.png"}),
]


@pytest.mark.parametrize(("source", "context"), URL_CASES)
def test_url_tags_answer_as_djangos_own_tag_does(source, context):
    djangos = Engine().from_string(source).render(Context(context))  # Django's builtins only
    for _ in range(2):  # reversed, then remembered
        assert render(source, **context) == djangos


def test_a_url_that_cannot_be_reversed_still_fails():
    for _ in range(2):
        with pytest.raises(NoReverseMatch):
            render('{% url "nope:nothing" %}')


def test_a_url_is_reversed_once_and_then_remembered():
    _reverse.cache_clear()
    for _ in range(3):
        assert render('{% url "lessons:course" course="black-box" %}') == "/courses/black-box/"
    assert (_reverse.cache_info().misses, _reverse.cache_info().hits) == (1, 2)


def test_equal_arguments_of_other_types_are_not_mixed_up():
    """1 == True and hash alike; their URLs differ."""
    assert render('{% url "lessons:concept" slug %}', slug=1) == "/concepts/1/"
    assert render('{% url "lessons:concept" slug %}', slug=True) == "/concepts/True/"


def test_a_remembered_url_follows_the_script_prefix():
    tag = '{% url "lessons:catalog" %}'
    assert render(tag) == "/"
    set_script_prefix("/glassbox/")
    try:
        assert render(tag) == "/glassbox/"
    finally:
        set_script_prefix("/")
    assert render(tag) == "/"


@pytest.fixture
def manifest_storage(tmp_path, settings):
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "css" / "site.css").write_text("body { color: black; }\n")
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "core.storage.RememberingManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.contrib.staticfiles.storage import staticfiles_storage

    assert isinstance(staticfiles_storage._wrapped, RememberingManifestStaticFilesStorage)
    return source, staticfiles_storage


def test_static_urls_are_the_manifests_and_follow_a_new_collectstatic(manifest_storage):
    source, storage = manifest_storage
    first = render("{% load static %}{% static 'css/site.css' %}")
    assert (
        first.startswith("/static/css/site.")
        and first.endswith(".css")
        and first != ("/static/css/site.css")
    )
    assert render("{% load static %}{% static 'css/site.css' %}") == first
    (source / "css" / "site.css").write_text("body { color: navy; }\n")
    call_command("collectstatic", "--noinput", verbosity=0)
    second = render("{% load static %}{% static 'css/site.css' %}")
    assert second != first and second.startswith("/static/css/site.")
    assert storage.url("css/site.css") == second


def test_a_file_missing_from_the_manifest_fails_every_time(manifest_storage):
    _, storage = manifest_storage
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")
