"""Reading a content file and its YAML front matter, with every problem at its line."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .concepts import concept_slug
from .sources import ContentProblem

MAX_FILE_BYTES = 1_000_000
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# YAML errors inside these constructs are found where the input ends; the author's mistake is
# where the construct opened (an unclosed '[', '{' or quote).
_UNCLOSED_CONTEXTS = ("while parsing a flow", "while scanning a quoted", "while scanning a block")


class FileProblem(Exception):
    """Stops parsing one file at a problem that makes the rest of it meaningless."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class FrontMatter:
    data: dict[str, Any]
    lines: tuple[str, ...]  # the raw front-matter lines (line 2 of the file is lines[0])
    body: str
    body_line: int  # the file line of the body's first line


def display_path(path: Path) -> str:
    """A path as an author would type it: relative to the working directory when inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def read_text(path: Path) -> tuple[str, str]:
    """A file's text (UTF-8, newlines normalised) and the SHA-256 of its bytes."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FileProblem(1, f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} (1 MB)")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FileProblem(
            line, f"file is not UTF-8 (byte 0x{data[error.start]:02x}); save it as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise FileProblem(1, "file is empty")
    return text, hashlib.sha256(data).hexdigest()


def split_front_matter(text: str) -> FrontMatter:
    lines = text.split("\n")
    if lines[0].strip() != "---":
        raise FileProblem(1, "file must start with YAML front matter: a '---' line first")
    for index in range(1, len(lines)):
        if lines[index].strip() in {"---", "..."}:
            closing = index
            break
    else:
        raise FileProblem(1, "front matter is not closed: add a '---' line after it")
    front_lines = lines[1:closing]
    try:
        data = yaml.load("\n".join(front_lines), Loader=_YAML_LOADER)  # noqa: S506 (safe loader)
    except yaml.YAMLError as error:
        raise FileProblem(*_yaml_problem(error)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FileProblem(2, "front matter must be 'key: value' lines")
    return FrontMatter(data, tuple(front_lines), "\n".join(lines[closing + 1 :]), closing + 2)


def _yaml_problem(error: yaml.YAMLError) -> tuple[int, str]:
    """The file line and message of a YAML error (front matter starts on line 2)."""
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    mark = getattr(error, "problem_mark", None)
    context = getattr(error, "context", None) or ""
    context_mark = getattr(error, "context_mark", None)
    unclosed = context_mark is not None and context.startswith(_UNCLOSED_CONTEXTS)
    if unclosed and (mark is None or context_mark.line < mark.line):
        what = context.removeprefix("while parsing ").removeprefix("while scanning ")
        return (
            context_mark.line + 2,
            f"malformed YAML front matter: {what} starting here is not closed ({problem})",
        )
    line = mark.line + 2 if mark is not None else 2
    return line, f"malformed YAML front matter: {problem}"


def read_front_matter(path: Path) -> dict[str, Any] | None:
    """A file's front matter, or None when the file cannot be read that far."""
    try:
        return split_front_matter(read_text(path)[0]).data
    except (FileProblem, OSError):
        return None


def key_line(front_lines: tuple[str, ...], key: str) -> int:
    pattern = re.compile(rf"^{re.escape(key)}\s*:")
    for index, line in enumerate(front_lines):
        if pattern.match(line):
            return index + 2
    return 1


@dataclass
class Fields:
    """Checks front-matter fields one by one, collecting a problem per bad field."""

    path: str
    front: FrontMatter
    allowed: tuple[str, ...]
    problems: list[ContentProblem] = field(default_factory=list)

    def __post_init__(self) -> None:
        for key in self.front.data:
            if key not in self.allowed:
                self.problem(
                    str(key),
                    f"unknown front matter key '{key}' (allowed: {', '.join(self.allowed)})",
                )

    def problem(self, key: str, message: str) -> None:
        line = key_line(self.front.lines, key)
        self.problems.append(ContentProblem(self.path, line, message))

    def text(self, key: str, *, required: bool, max_length: int | None = None) -> str:
        value = self.front.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(key, f"'{key}' is required")
            return ""
        if not isinstance(value, str):
            self.problem(key, f"'{key}' must be text, got {_yaml_type(value)}")
            return ""
        text = " ".join(value.split())
        if max_length is not None and len(text) > max_length:
            self.problem(key, f"'{key}' is {len(text)} characters; the limit is {max_length}")
            return ""
        return text

    def integer(self, key: str, *, default: int | None, low: int, high: int) -> int | None:
        value = self.front.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"'{key}' must be a whole number, got {_yaml_type(value)}")
            return default
        if not low <= value <= high:
            self.problem(key, f"'{key}' must be between {low} and {high}, got {value}")
            return default
        return value

    def boolean(self, key: str) -> bool:
        value = self.front.data.get(key)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.problem(key, f"'{key}' must be true or false, got {_yaml_type(value)}")
            return False
        return value

    def choice(self, key: str, choices: tuple[str, ...]) -> str:
        """One of ``choices``; the first is the default when the key is absent."""
        value = self.front.data.get(key)
        if value is None:
            return choices[0]
        if not isinstance(value, str) or value.strip() not in choices:
            shown = value if isinstance(value, str) else _yaml_type(value)
            self.problem(key, f"'{key}' must be one of {', '.join(choices)}, got {shown!s:.80}")
            return choices[0]
        return value.strip()

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.front.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(key, f"'{key}' must be a list such as [a, b], got {_yaml_type(value)}")
            return ()
        items: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.problem(key, f"every item of '{key}' must be non-empty text, got {item!r}")
                continue
            items.append(" ".join(item.split()))
        return tuple(items)

    def aliases(self, key: str) -> tuple[tuple[str, str], ...]:
        """`aliases:` maps a spelling to the one it means ({SAE: sparse autoencoder})."""
        value = self.front.data.get(key)
        if value is None:
            return ()
        if not isinstance(value, dict):
            self.problem(
                key,
                f"'{key}' must be a mapping such as {{SAE: sparse autoencoder}}, "
                f"got {_yaml_type(value)}",
            )
            return ()
        pairs: list[tuple[str, str]] = []
        for spelling, meaning in value.items():
            if not all(isinstance(v, str) and concept_slug(v) for v in (spelling, meaning)):
                self.problem(
                    key,
                    f"each alias in '{key}' must map text to text, got {spelling!r}: {meaning!r}",
                )
                continue
            if concept_slug(spelling).replace("-", "") == concept_slug(meaning).replace("-", ""):
                self.problem(
                    key,
                    f"alias '{spelling}' already matches '{meaning}' (case, spaces and "
                    "hyphens never need an alias)",
                )
                continue
            pairs.append((" ".join(spelling.split()), " ".join(meaning.split())))
        return tuple(pairs)


def _yaml_type(value: object) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        bool: "true/false",
        int: "a number",
        float: "a number",
    }
    return names.get(type(value), type(value).__name__)
