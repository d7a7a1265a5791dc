from django import template

from quizzes.formatting import marks as _marks

register = template.Library()


@register.filter
def marks(value):
    """14 for a whole score, 13.67 for a fractional one."""
    return _marks(value)


@register.filter
def pct(value):
    """A share from 0 to 1 as a whole percentage: 0.857 -> 86%."""
    if value is None or value == "":
        return ""
    return f"{100 * float(value):.0f}%"
