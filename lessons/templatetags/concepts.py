from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html

from courses.content.concepts import concept_slug

register = template.Library()


@register.filter
def concept_url(spelling: str) -> str:
    """The concept page of a concept or key term as this lesson spells it ("" if none)."""
    slug = concept_slug(spelling)
    return reverse("lessons:concept", kwargs={"slug": slug}) if slug else ""


@register.filter
def concept_link(spelling: str) -> str:
    """The concept or key term linked to its concept page, or as plain (escaped) text when it
    has none."""
    if url := concept_url(spelling):
        return format_html('<a href="{}">{}</a>', url, spelling)
    return conditional_escape(spelling)
