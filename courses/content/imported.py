"""What an earlier import stored for each lesson file, as far as the parser needs to know it.

A lesson file whose bytes are exactly those an earlier import stored (same path, same hash,
same renderer version) was fully parsed, validated and rendered then, and the importer will
not write it again. Re-importing a big tree therefore skips the expensive part of parsing
such a file: its body (the CommonMark block parse, sections, key terms and quiz). Its front
matter is still read and checked, because what spans files (slugs, related lessons, drafts)
comes from there. `validate_content` never skips anything.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# Part of every stored hash: bump it when rendering or a check of the lesson body changes, so
# the next import re-parses, re-checks and re-renders every lesson though no file changed.
# 2: the tutor stores each question's fallback "Re-read" section; 3: markdown-it-py, MathML,
# Pygments, nh3; 4: search documents; 5: GFM strikethrough as <del>, the tag filter, autolinks
# beside underscores; 6: a table's empty cells keep their place in the plain text the tutor and
# the search read (the HTML is 5's); 7: an inline formula's plain text is what the page shows of
# it, not its TeX (the HTML is 5's); 8: a footnote's "↩︎" back-link is not plain text (the HTML is
# 5's). tests/test_rendering.py records each version's golden output.
RENDERER_VERSION = "8"


def stored_hash(source_hash: str) -> str:
    """The hash the database keeps for a file whose bytes hash to ``source_hash``."""
    return hashlib.sha256(f"{RENDERER_VERSION}:{source_hash}".encode()).hexdigest()


def source_path(path: Path, root: Path) -> str:
    """Where a file lives, relative to the content root, so the working directory of an import
    never changes what is stored."""
    return relative_source_path(path, root.resolve())


def relative_source_path(path: Path, real_root: Path) -> str:
    """`source_path` for a root already resolved: resolving a path costs a system call per
    folder in it, and an import asks this of thousands of files under one root."""
    return Path(os.path.relpath(os.path.realpath(path), real_root)).as_posix()


def may_skip_body(text: str) -> bool:
    """Whether a stored file's body check depends on nothing but its own bytes.

    An image reference is checked against the folder (the image must exist), which can change
    while the lesson file does not; such a file is always parsed in full.
    """
    return "![" not in text


@dataclass(frozen=True)
class Imported:
    """Published lesson files in the database: source path (relative to ``root``) -> stored
    hash. Plain data, so it travels to the parser's worker processes."""

    root: Path
    hashes: Mapping[str, str]
    real_root: Path = field(init=False)  # ``root`` resolved, once

    def __post_init__(self) -> None:
        object.__setattr__(self, "real_root", self.root.resolve())

    def holds(self, path: Path, source_hash: str) -> bool:
        stored = self.hashes.get(relative_source_path(path, self.real_root))
        return stored is not None and stored == stored_hash(source_hash)
