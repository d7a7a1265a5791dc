"""Every tunable number of the tutor, in one place.

The answerability model's coefficients are not here: they are fitted data, stored in
`model.json` beside this file and refitted with `python -m tutor.retrieval.fit`.
"""

#: Okapi BM25; b is lower than the usual 0.75 because units are sentences, not documents.
K1 = 1.2
B = 0.3

#: Term frequency given to words a unit inherits rather than contains: its section heading and
#: the sentence announcing a list item...
CONTEXT_TF = 0.3
#: ... and the sentence a pronoun-led sentence refers back to ("They add bitterness..." after a
#: sentence about hops), whose subject the pronoun stands for.
ANAPHOR_TF = 0.6

#: Units ranked in full (BM25 first, then the boosts below).
CANDIDATES = 50
#: Score multiplier for a unit that defines what a "what is X?" question asks about.
DEFINITION_BOOST = 1.0
#: Score multiplier for a unit holding the kind of thing a who/when/how-many question wants.
ANSWER_TYPE_BOOST = 0.3

#: General-English informativeness of a word is ZIPF_CEILING minus its Zipf frequency
#: (wordfreq), floored at MIN_INFORMATIVENESS: "the" ~0.5, "causes" ~3, an unknown word 7.5.
ZIPF_CEILING = 7.5
MIN_INFORMATIVENESS = 0.5

#: A question word the lesson never uses is matched to a lesson word this many edits away
#: (one more for long words), only if it is not itself a common English word (Zipf below).
MAX_EDITS = 1
LONG_WORD = 10
TYPO_MAX_ZIPF = 3.0
#: ... and at least this long (shorter words have too many neighbours).
MIN_TYPO = 5
#: A question word the lesson never uses matches a lesson word of its family (one stem a
#: prefix of the other) when the shorter stem has at least this many letters.
MIN_STEM = 5

#: Answer composition: the best unit, then the next best ones whose score is at least
#: CLOSE_RATIO of the best, within MAX_WORDS; a list announced by the best unit may take
#: up to LIST_MAX_WORDS and MAX_ITEMS items.
CLOSE_RATIO = 0.6
MAX_UNITS = 3
MAX_WORDS = 80
LIST_MAX_WORDS = 120
#: A runner-up is skipped when this share of its words is already quoted.
REPEAT_SHARE = 0.7
#: A best unit is a restatement when this share of its words are the question's.
RESTATES_SHARE = 0.8
#: ... and so is a best unit of at most this many words (a topic sentence).
SHORT_WORDS = 12
MAX_ITEMS = 8
#: A list item's first sentence of at most this many words is a run-in label ("Trust."): the
#: item is the label and the sentence after it.
LABEL_WORDS = 3

#: A declined question names its best section only when the answerability model gives the
#: best passage at least this probability (so a shared common word is not enough).
RELATED_PROBABILITY = 0.2
#: An answer's confidence is exact below this (the default of TUTOR_LOW_CONFIDENCE, the line of
#: the tutor-gaps report); above it, the quoted units the best one already settles are not
#: encoded (`answer.assess`), so a first question about new units costs less.
LOW_CONFIDENCE = 0.7

#: A Latin-script question is in another language when at least FOREIGN_WORDS of its words
#: the lesson lacks are at least FOREIGN_MARGIN more frequent (Zipf) in one of a few other
#: languages than in English, and they outnumber the lacking words common in English (Zipf
#: at least ENGLISH_ZIPF).
FOREIGN_MARGIN = 1.0
ENGLISH_ZIPF = 2.5
FOREIGN_WORDS = 2

#: Question limits: words considered, parts of a multi-part question answered, terms of X in
#: "what is X?" (a longer X is a question, not a name).
MAX_QUERY_TERMS = 32
MAX_PARTS = 4
MAX_SUBJECT_TERMS = 4
