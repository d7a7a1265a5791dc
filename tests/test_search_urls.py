"""config/urls.py resolves search's one path before the lessons' patterns (resolving it behind
them cost each search about 0.05 ms). The order changes nothing only while no other pattern
matches that path."""

from __future__ import annotations

from django.urls import Resolver404, get_resolver, resolve


def test_the_search_path_resolves_to_the_results_page():
    assert resolve("/search/").view_name == "search:results"


def test_no_other_pattern_matches_the_search_path():
    for pattern in get_resolver().url_patterns:
        if getattr(pattern, "namespace", None) == "search":
            continue
        try:
            match = pattern.resolve("search/")
        except Resolver404:
            match = None
        assert match is None, pattern
