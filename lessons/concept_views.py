"""Concept pages: every lesson that teaches a concept, and how each defines it."""

from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from courses.caching import content_version
from courses.content.concepts import ConceptIndex, Mention, build_index, concept_slug
from courses.models import Course, Lesson

from .catalog_views import PAGE_CACHE_SECONDS, cached_for_anonymous


def concept_index() -> ConceptIndex:
    """Every concept of the published catalog, built once per content version."""
    key = f"concepts:{content_version()}"
    index = cache.get(key)
    if index is None:
        mentions = []
        rows = (
            Lesson.objects.published().in_catalog_order().values_list("pk", "concepts", "key_terms")
        )
        for pk, concepts, key_terms in rows:
            mentions += [Mention(pk, spelling, is_key_term=False) for spelling in concepts]
            mentions += [Mention(pk, term["term"], is_key_term=True) for term in key_terms]
        aliases = [
            pair
            for course_aliases in Course.objects.published().values_list(
                "concept_aliases", flat=True
            )
            for pair in course_aliases.items()
        ]
        index = build_index(mentions, aliases)
        cache.set(key, index, PAGE_CACHE_SECONDS)
    return index


@cached_for_anonymous
def concept_detail(request: HttpRequest, slug: str) -> HttpResponse:
    index = concept_index()
    concept = index.find(slug)
    if concept is None:
        raise Http404("No lesson teaches a concept of that name.")
    lessons = list(
        Lesson.objects.published()
        .filter(pk__in=concept.lesson_ids)
        .select_related("course")
        .in_catalog_order()
    )
    definitions = []
    for lesson in lessons:
        for term in lesson.key_terms:
            if index.by_slug.get(concept_slug(term["term"])) == concept.key:
                definitions.append((lesson, term))
    return render(
        request,
        "lessons/concept_detail.html",
        {"concept": concept, "lessons": lessons, "definitions": definitions},
    )
