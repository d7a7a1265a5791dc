"""``{% url %}`` as Django's, with each answer remembered per process (a template builtin).

Reversing a URL walks the URL patterns, substitutes and checks the arguments and quotes the
result: about 0.1 ms of CPU a tag on the benchmark VM, seven tags on every signed-in lesson page
(the menu, the sign-out and tutor forms), each giving the same answer every time. The answer
depends only on what the key holds (the view, the arguments, the current app, the URL
configuration and the script prefix), so it is kept for those. Arguments of other types than
str and int (a model instance, a list) are reversed every time as Django would, since their
text could change under an equal key; failures are never remembered.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

register = template.Library()

_REMEMBERED_TYPES = frozenset({str, SafeString, int})


@lru_cache(maxsize=4096)
def _reverse(view_name: str, args: tuple, kwargs: tuple, current_app, urlconf, *_key) -> str:
    """``args`` and ``kwargs`` as (type, value) and (name, type, value); ``_key``: the root
    URL configuration and the script prefix, which reverse reads for itself."""
    return reverse(
        view_name,
        urlconf,
        args=[value for _, value in args],
        kwargs={name: value for name, _, value in kwargs},
        current_app=current_app,
    )


def _current_app(context) -> str | None:
    """As Django's URLNode finds it."""
    try:
        return context.request.current_app
    except AttributeError:
        try:
            return context.request.resolver_match.namespace
        except AttributeError:
            return None


class RememberedURLNode(URLNode):
    def render(self, context) -> str:
        if self.asvar:  # "as" turns a failed lookup into "": Django's node does that part
            return super().render(context)
        view_name, current_app = self.view_name.resolve(context), _current_app(context)
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {name: value.resolve(context) for name, value in self.kwargs.items()}
        values = [view_name, *args, *kwargs.values()]
        if current_app is not None:
            values.append(current_app)
        if any(type(value) not in _REMEMBERED_TYPES for value in values):
            return super().render(context)
        url = _reverse(
            view_name,
            tuple((type(value), value) for value in args),
            tuple((name, type(value), value) for name, value in kwargs.items()),
            current_app,
            get_urlconf(),
            settings.ROOT_URLCONF,
            get_script_prefix(),
        )
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token) -> RememberedURLNode:
    node = django_url(parser, token)
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
