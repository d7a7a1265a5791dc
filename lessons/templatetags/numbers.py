from django import template

register = template.Library()


@register.filter
def thousands(value: int) -> str:
    """2116 -> "2,116" (the site is in English; no locale machinery needed)."""
    return f"{value:,}"
