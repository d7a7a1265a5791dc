"""The lesson tutor's retrieval core: plain Python, no Django.

Modules, one idea each: `lexicon` (words), `units` (what can be quoted), `index` (the stored
index and the lesson's vocabulary), `nouns` (irregular plurals), `ranking` (a question's terms,
BM25), `quantities`, `origins` and `details` (the quantity, name, date, top of a ranking or kind
a question asks for), `answerability` (the logistic model), `semantic` (its sentence encoder),
`compose` (what to quote and the tutor's words), `message` (reading a message: small talk,
chat, its questions), `comparisons` (a comparison's two sides), `answer` (the pipeline),
`tuning` (every tunable number), and offline,
never imported here: `fit` (refitting the model), with its labelled data in `fit_data`, its
regression in `fit_regression` and its readings against a reference run in `fit_paired` and
`fit_fixed`. See docs/tutor.md.
"""

from .answer import Citation, TutorAnswer, answer_question, closest_anchor
from .index import FORMAT_VERSION, LessonIndex, ParsedIndexes, build_index
from .lexicon import content_terms, normalize_ws, query_terms, term, tokenize
from .units import LessonText, SectionText, split_sentences

__all__ = [
    "FORMAT_VERSION",
    "Citation",
    "LessonIndex",
    "LessonText",
    "ParsedIndexes",
    "SectionText",
    "TutorAnswer",
    "answer_question",
    "build_index",
    "closest_anchor",
    "content_terms",
    "normalize_ws",
    "query_terms",
    "split_sentences",
    "term",
    "tokenize",
]
