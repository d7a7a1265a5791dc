"""Pages rendered once with slots, filled per request: the text between slots is shared.

A page that is the same for many visitors but for a few values (a CSRF token, a learner's
progress) costs a full template render only once; each request then joins the shared text with
its own values. ``Frame`` holds such a page cut at its slots. ``render_frame`` renders a
template as a frame whose ``{% learner_part %}`` regions (core/templatetags/learner_parts.py)
become slots; ``fill_parts`` renders those regions alone for one request, or reuses a region's
rendering for every learner with the same values of what it declares it reads.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest
from django.template import Context, engines
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac

FRAME_PARTS = "_frame_parts"  # the context key under which a frame render collects its parts
# Renderings a frame keeps of the parts that declare what they read (a few hundred bytes each):
# on reaching this many it starts again, so a rare run of distinct values costs no memory.
REMEMBERED_PARTS = 2048


def page_slot(name: str) -> str:
    """A placeholder for a per-visitor value (CSRF token, quiz token) in a cached page.

    Derived from SECRET_KEY, so no lesson author can write it into a lesson and have each
    visitor's token filled into their text (and sent on to another site from there).
    """
    return _slot(name, settings.SECRET_KEY)


@lru_cache(maxsize=16)
def _slot(name: str, secret: str) -> str:
    # Two of these on every lesson page, always the same answer: an HMAC each time was waste.
    return "slot" + salted_hmac("glassbox.page-slot", name, secret=secret).hexdigest()[:40]


class Frame:
    """The page with its slots open: the text between them, and which slot each gap is.

    The text is kept encoded as UTF-8, as the response sends it: encoding a 51 KB lesson page
    that holds any non-ASCII character cost about 0.05 ms of CPU on every response (on the
    benchmark VM), where only the few short values filled in need encoding now.
    """

    def __init__(self, html: str, slots: dict[str, str]) -> None:
        by_marker = {marker: name for name, marker in slots.items()}
        pieces = re.split(f"({'|'.join(map(re.escape, by_marker))})", html)
        self.texts = [text.encode() for text in pieces[0::2]]
        self.gaps = [by_marker[marker] for marker in pieces[1::2]]

    def fill(self, values: dict[str, str]) -> bytes:
        """The page with ``values`` in its slots, as UTF-8."""
        out = [self.texts[0]]
        for name, text in zip(self.gaps, self.texts[1:], strict=True):
            out += [values[name].encode(), text]
        return b"".join(out)


class FrameStore:
    """What this process keeps of the pages of one content version, at most ``size`` entries:
    an import's new version, or reaching the size, starts again (so a stale version is never
    served and a rare run of distinct keys costs no memory)."""

    def __init__(self, size: int) -> None:
        self.size = size
        # One attribute, replaced whole, so a reader never pairs a version with another's entries.
        self._current: tuple[str, dict] = ("", {})
        self._lock = threading.Lock()

    def get(self, version: str, key: tuple):
        kept_version, entries = self._current
        return entries.get(key) if version == kept_version else None

    def keep(self, version: str, key: tuple, value) -> None:
        with self._lock:
            kept_version, entries = self._current
            if version != kept_version or len(entries) >= self.size:
                entries = {}
            self._current = (version, {**entries, key: value})

    def clear(self) -> None:
        with self._lock:
            self._current = ("", {})


class FrameParts:
    """The ``{% learner_part %}`` regions a frame render met, each with its slot and what it
    declares it reads of the learner (None: anything)."""

    def __init__(self) -> None:
        self.slots: dict[str, str] = {}
        self.reads: dict[str, tuple[str, ...] | None] = {}

    def slot(self, name: str, reads: tuple[str, ...] | None = None) -> str:
        self.reads[name] = reads
        return self.slots.setdefault(name, page_slot(f"part:{name}"))


class PartsFrame(Frame):
    """A frame whose slots are learner parts (by template name) and named values."""

    def __init__(
        self,
        html: str,
        parts: dict[str, str],
        values: dict[str, str],
        reads: dict[str, tuple[str, ...] | None] | None = None,
    ) -> None:
        super().__init__(html, {**parts, **values})
        self.parts = tuple(parts)
        self.reads = reads or {}
        self.remembered: dict[tuple, str] = {}


def render_frame(
    template_name: str, context: dict, request: HttpRequest, values: dict[str, str]
) -> PartsFrame:
    """``template_name`` rendered with ``context``; ``values`` maps names to the slot markers
    the context already holds for them (a CSRF token's, say)."""
    parts = FrameParts()
    html = render_to_string(template_name, {**context, FRAME_PARTS: parts}, request=request)
    return PartsFrame(html, parts.slots, values, parts.reads)


_PLAIN = (str, int, float, bool, type(None))


def _key(value: object) -> object:
    """``value`` as part of a key, for plain values only: a model instance equals any other of
    its row, whatever its fields hold now, so it must never key a rendering."""
    if isinstance(value, set | frozenset) and all(isinstance(item, _PLAIN) for item in value):
        return (type(value), frozenset(value))
    if isinstance(value, _PLAIN):
        return (type(value), value)  # the type too: 1 and 1.0 are equal, and render differently
    raise TypeError(f"a learner part may declare it reads plain values only, not {type(value)}")


def fill_parts(
    frame: PartsFrame, context: dict, request: HttpRequest, shared: dict | None = None
) -> dict[str, str]:
    """Each learner part of ``frame`` rendered alone with ``context``, the request and its user
    (what the template's context processors would add that the parts read). With ``shared``,
    the context every learner of the page shares, a part that declares what it reads is
    rendered from ``shared`` and those values only, once per distinct values."""
    engine = engines["django"].engine
    part_context = None
    filled = {}
    for name in frame.parts:
        reads = frame.reads.get(name)
        if reads is not None and shared is not None:
            key = (name, *(_key(context[read]) for read in reads))
            html = frame.remembered.get(key)
            if html is None:
                own = Context({**shared, **{read: context[read] for read in reads}})
                html = engine.get_template(name).render(own)
                if len(frame.remembered) >= REMEMBERED_PARTS:
                    frame.remembered.clear()
                frame.remembered[key] = html
            filled[name] = html
            continue
        if part_context is None:
            part_context = Context({**context, "request": request, "user": request.user})
        filled[name] = engine.get_template(name).render(part_context)
    return filled
