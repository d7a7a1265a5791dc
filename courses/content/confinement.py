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


def file_inside(root: Path, *parts: str) -> Path | None:
    """The regular file that ``root``/``parts`` names when, with every link followed, it stays
    inside ``root``; None for anything else: a path that climbs or links out (``..``, an
    absolute part), a folder, nothing there, or a name no file can have (a NUL, or longer than
    the system allows). What a view serving a file from the content folder asks."""
    if any("\x00" in part for part in parts):
        return None
    path = Path(root, *parts)
    try:
        return path if not leaves(path, root) and path.is_file() else None
    except OSError:  # a name longer than the system allows: is_file raises rather than answer
        return None
