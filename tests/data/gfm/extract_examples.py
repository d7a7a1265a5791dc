"""Regenerates extensions-0.29.json from the GFM spec text (see LICENSE.md in this folder).

    pip download --no-deps --no-binary :all: marko==2.2.4 -d /tmp/gfm
    tar -xzf /tmp/gfm/marko-2.2.4.tar.gz -C /tmp/gfm
    python tests/data/gfm/extract_examples.py /tmp/gfm/marko-2.2.4/tests/spec/gfm.txt

The spec is read the way cmark-gfm's own runner (test/spec_tests.py) reads it: an example is
the text between a fence of 32 backticks followed by `example` and the closing fence, its
Markdown and HTML are split by a line holding only `.`, `→` stands for a tab, and examples are
numbered in order through the whole spec. Only examples whose fence names an extension
(`example table`, `example autolink`, …) are kept: the rest are CommonMark's, and
spec-0.31.2.json in ../commonmark covers those at a newer version.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

FENCE = "`" * 32
OUTPUT = Path(__file__).with_name("extensions-0.29.json")
_HEADING_RE = re.compile(r"#+ ")


def examples(spec: str) -> list[dict]:
    found: list[dict] = []
    section = ""
    state = 0  # 0 prose, 1 Markdown, 2 HTML
    markdown: list[str] = []
    html: list[str] = []
    start = number = 0
    extensions: list[str] = []
    for line_number, line in enumerate(spec.splitlines(keepends=True), start=1):
        stripped = line.strip()
        if state == 0 and stripped.startswith(FENCE + " example"):
            state, start, number = 1, line_number, number + 1
            extensions = stripped[len(FENCE + " example") :].split()
            markdown, html = [], []
        elif state == 1 and stripped == ".":
            state = 2
        elif state == 2 and stripped == FENCE:
            state = 0
            if extensions:
                found.append(
                    {
                        "markdown": "".join(markdown).replace("→", "\t"),
                        "html": "".join(html).replace("→", "\t"),
                        "example": number,
                        "start_line": start,
                        "end_line": line_number,
                        "section": section,
                        "extensions": extensions,
                    }
                )
        elif state == 1:
            markdown.append(line)
        elif state == 2:
            html.append(line)
        elif _HEADING_RE.match(line):
            section = line.lstrip("#").strip()
    return found


def main(spec_path: str) -> None:
    text = Path(spec_path).read_text(encoding="utf-8")
    version = re.search(r"^version: '?([^'\n]+)'?$", text, re.MULTILINE)
    if not version or version[1] != "0.29":
        sys.exit(f"{spec_path}: expected the GFM spec version 0.29, found {version and version[1]}")
    OUTPUT.write_text(
        json.dumps(examples(text), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
