"""``{% learner_part "name.html" %}``: a region of a page that differs from one learner to the next.

Rendered in place, as ``{% include %}`` would render it, except while a page's shared frame is
rendered (core.frames.render_frame puts a ``FrameParts`` in the context): then the tag leaves a
slot, and each request fills it by rendering that part alone for its learner. So a template
marks its per-learner regions once, and serves both a full render and a frame.

``{% learner_part "name.html" reads="a b" %}`` says the part shows nothing of the learner but
the context's ``a`` and ``b``: a frame then renders it once per distinct value of those, from
the page's shared context and them alone, and reuses that for every learner with the same
values (core.frames.fill_parts). Anything else of the learner such a part reads is simply not
there, so it cannot show one learner's data to another; the full render, which a frame must
equal byte for byte (tests/test_learner_frame.py), would show the difference.
"""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe

from core.frames import FRAME_PARTS

register = template.Library()


@register.simple_tag(takes_context=True)
def learner_part(context: template.Context, name: str, reads: str = "") -> SafeString:
    parts = context.get(FRAME_PARTS)
    if parts is not None:
        return mark_safe(parts.slot(name, tuple(reads.split()) if reads else None))
    return context.template.engine.get_template(name).render(context)
