"""Keys for the tutor's question log (no Django beyond settings).

A visitor is the signed-in learner's id, or, for an anonymous visitor, a keyed hash of the
address the rate limits use: the log never stores the address itself. A wording key is a hash
of the question with case and spacing normalised, so "What is RLHF?" and "what is  rlhf?" are
the same question.
"""

from __future__ import annotations

import hashlib
import hmac


def wording_key(question: str) -> str:
    normalised = " ".join(question.casefold().split())
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()


def visitor_key(*, learner_id: int | None, address: str, secret: str) -> str:
    if learner_id is not None:
        return f"user:{learner_id}"
    digest = hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()
    return f"anon:{digest[:40]}"
