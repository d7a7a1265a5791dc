"""``{% learner_part "name.html" %}``: a region of a page that differs from one learner to the next.

Rendered in place, as ``{% include %}`` would render it, except while a page's shared frame is
rendered (core.frames.render_frame puts a ``FrameParts`` in the context): then the tag leaves a
slot, and each request fills it by rendering that part alone for its learner. So a template
marks its per-learner regions once, and serves both a full render and a frame.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from core.frames import FRAME_PARTS

register = template.Library()


@register.simple_tag(takes_context=True)
def learner_part(context: template.Context, name: str) -> SafeString:
    parts = context.get(FRAME_PARTS)
    if parts is not None:
        return mark_safe(parts.slot(name))
    return context.template.engine.get_template(name).render(context)
