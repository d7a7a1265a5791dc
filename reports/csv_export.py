"""CSV responses that open right in spreadsheets and cannot smuggle in formulas.

- Numbers are written as numbers (a negative discrimination stays ``-0.40``); the formula guard
  applies to text cells only, where a leading ``=``, ``+``, ``-``, ``@``, tab or carriage
  return could make a spreadsheet evaluate learner or author text.
- The file starts with a UTF-8 byte order mark, which is how Excel recognises UTF-8 (without
  it "λ" opens as "Î»"); other tools skip the mark.
- HTML (question prompts and options are stored rendered) is exported as plain text.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from django.utils.html import strip_tags

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: object) -> object:
    """Text that starts like a formula is prefixed with ' (OWASP's CSV advice); numbers pass."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(_FORMULA_START):
        return f"'{text}"
    return text


def plain_text(fragment: str) -> str:
    """Rendered HTML as the text a reader sees: tags dropped, entities decoded, spaces tidied."""
    return " ".join(html.unescape(strip_tags(fragment)).split())


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> HttpResponse:
    # Written to a string and encoded once: writing each row to the response encodes each row
    # on its own, a fifth of a large export's time.
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
