"""Keeping the content folder's files inside it: a symbolic link that leads out is refused.

A lesson file or image that is a link to /etc/passwd (or to a folder holding secrets) must
never be read, imported, previewed or served, whatever its name says.
"""

from __future__ import annotations

from pathlib import Path

OUTSIDE = "is a link that leads outside the content folder"


def leaves(path: Path, root: Path) -> bool:
    """True when ``path``, with every link followed, is not inside ``root``."""
    try:
        return not Path(path).resolve(strict=False).is_relative_to(Path(root).resolve())
    except (OSError, RuntimeError):  # a link loop, or a path the system cannot follow
        return True
