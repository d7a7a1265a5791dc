from django import template
from django.urls import reverse

from courses.content.concepts import concept_slug

register = template.Library()


@register.filter
def concept_url(spelling: str) -> str:
    """The concept page of a concept or key term as this lesson spells it ("" if none)."""
    slug = concept_slug(spelling)
    return reverse("lessons:concept", kwargs={"slug": slug}) if slug else ""
