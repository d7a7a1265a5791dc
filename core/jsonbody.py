"""Reading a JSON request body that a stranger wrote: every way it can be wrong is a ValueError
with a message for a 400, never an exception that becomes a 500."""

from __future__ import annotations

import json
from typing import Any


class BadJson(ValueError):
    pass


def parse(body: bytes) -> Any:
    """The decoded body; raises BadJson when it is not UTF-8 JSON a database can store."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadJson(f"The body is not valid JSON: {error}") from None
    except RecursionError:
        raise BadJson("The body is nested too deeply.") from None
    try:
        # A "\ud800" escape decodes to a lone surrogate, which no database text column takes.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BadJson("The body contains a lone surrogate (\\ud800-\\udfff escape).") from None
    except RecursionError:
        raise BadJson("The body is nested too deeply.") from None
    return data
