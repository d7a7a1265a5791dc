"""What search looks in, written by the importer's transaction: a lesson's text, and its card."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models

from courses.models import Lesson


class SearchDocument(models.Model):
    """A lesson's searchable text, by weight: title, then key terms and concepts, then body.

    On SQLite an FTS5 table (migration 0002, its bm25 weights set by 0003) holds the same three
    columns; on PostgreSQL the weighted tsvectors made from them are on the lesson's
    `SearchCard`. Each result card's passage is cut from `body`. `search.engine` is the only
    code that writes either.
    """

    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    title = models.TextField()
    terms = models.TextField(blank=True)
    body = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.title


class SearchCard(models.Model):
    """What a search reads of a lesson besides its text: whether it may be found, the filters,
    its place in the catalog (the tie-break), and what its result card shows.

    Copied from the lesson and its course by the importer's transaction (`search.engine`), so a
    search reads one small table and never joins the lessons, whose rows carry their whole
    rendered text. On PostgreSQL it also holds the weighted tsvectors (GIN indexes from
    migration 0004): the whole document, and its `head` (title, key terms and concepts) alone,
    small, so ranking the lessons that match there never reads a body, and the body itself, for
    the passages. On SQLite they stay empty and FTS5's table is joined here by rowid.
    """

    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, primary_key=True, related_name="search_card"
    )
    # The lesson and its course are both published.
    published = models.BooleanField()
    position = models.PositiveIntegerField(null=True)  # the lesson's catalog_position
    track = models.CharField(max_length=100)
    course_slug = models.SlugField(max_length=100, db_index=False)
    course_title = models.CharField(max_length=200)
    lesson_slug = models.SlugField(max_length=100, db_index=False)
    title = models.CharField(max_length=200)
    minutes = models.PositiveIntegerField(null=True)
    # Matched (counted) through its GIN index; the body tier is matched and ranked through its
    # copy in `RankingVector`, kept in line. Stored uncompressed (migration 0006).
    vector = SearchVectorField(null=True, editable=False)
    head = SearchVectorField(null=True, editable=False)
    # PostgreSQL: the document's body, which each result card's passage is cut from, here too
    # so the page's cards are read from this table alone (migration 0005). Empty on SQLite,
    # where the cards are read joined to their documents.
    body = models.TextField(null=True, editable=False)  # noqa: DJ001 (NULL: not on SQLite)

    def __str__(self) -> str:
        return self.title


class RankingVector(models.Model):
    """PostgreSQL: the body tier's own table, which its ranking reads alone: a lesson's whole
    weighted tsvector once more (the card's `vector`), kept in the table's pages, its GIN index,
    and what the tier filters and orders on besides (the card's `published`, `position`,
    `track`, `course_slug`, and its `head`, whose matches belong to the tiers before).

    ts_rank reads the whole vector of every lesson it ranks, for a word found only in lesson
    text about half the catalog. On the card a vector (2.4-3.8 kB on the benchmark's catalog)
    is stored out of line (TOAST), a lookup in the TOAST table's index for each; here the
    vectors stay in the table's pages (migration 0007: a TOAST target of a whole page, so only
    a vector too big for one is moved out, uncompressed). Until migration 0008 the ranking
    joined this table to the matching cards by primary key, a probe of its index per matching
    card, more CPU than ranking them; now the body tier matches through this table's own GIN
    index and never reads the card. The card keeps its vector and GIN index for the counts,
    which read the card's small rows (about 25 a page; here two a page, and a capped count
    cost about twice the CPU). Written with the card (`search.indexing.index_lessons`), its
    filter columns brought up to date with it (`search.indexing.refresh_cards`); empty on
    SQLite.
    """

    lesson = models.OneToOneField(
        Lesson, on_delete=models.CASCADE, primary_key=True, related_name="ranking_vector"
    )
    published = models.BooleanField()
    position = models.PositiveIntegerField(null=True)
    track = models.CharField(max_length=100)
    course_slug = models.SlugField(max_length=100, db_index=False)
    head = SearchVectorField(null=True, editable=False)
    vector = SearchVectorField(editable=False)

    def __str__(self) -> str:
        return f"ranking vector of lesson {self.lesson_id}"


class RealField(models.FloatField):
    """A single-precision float: what ts_rank returns (real), stored as it is."""

    def db_type(self, connection) -> str:
        return "real"


class BytewiseTextField(models.TextField):
    """Text that sorts byte by byte on PostgreSQL (COLLATE "C", so the values with a prefix
    are one range of a btree index); SQLite's text compares so already (BINARY) and knows no
    collation of that name."""

    def db_parameters(self, connection) -> dict:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


class RankedWord(models.Model):
    """PostgreSQL: the body tier's ranking read by word, one row per lexeme of each lesson's
    `RankingVector` (its `vector` unnested), holding ts_rank of that vector for that lexeme
    alone, whether the head has it, and the filter columns of the `RankingVector` beside.

    A one-word search whose prefix stands for exactly one lexeme of this table ranks the body
    tier through the index on (word, rank DESC, position), reading only the page's rows, rather
    than scoring every matching vector: for that query ts_rank and the head's match are the
    single lexeme's, so the order is the same (`search.engine`, `_ranked_by_word`). Likewise
    its head tier (the title and key-term tiers, ranked together on PostgreSQL) when the prefix
    stands for exactly one lexeme of the heads: through the partial index of the rows the head
    holds, on (word, in_title DESC, head_rank DESC, position), the order of the head tier's
    statement (`_ranked_head_by_word`). The word
    sorts bytewise (COLLATE "C"), so every word with a prefix lies in one range of the index.
    Written from the `RankingVector` rows once at the end of each import, for every lesson it
    wrote (`search.indexing.rank_words`; into an empty or mostly rewritten table with the indexes
    built after the rows), its filter columns brought up to date with them
    (`search.indexing.refresh_cards`); empty on SQLite. No foreign-key
    constraint in the database (a check per row, hundreds of thousands, at each import's
    commit): a lesson deleted through Django takes its rows along (CASCADE).
    """

    pk = models.CompositePrimaryKey("lesson", "word")
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, db_constraint=False, related_name="+", db_index=False
    )
    word = BytewiseTextField()
    rank = RealField()
    published = models.BooleanField()
    position = models.PositiveIntegerField(null=True)
    track = models.CharField(max_length=100)
    course_slug = models.SlugField(max_length=100, db_index=False)
    in_head = models.BooleanField()
    # The head tier's ranking by word, for the rows whose lexeme the head holds: ts_rank of the
    # head for that lexeme alone, and whether the title holds it (the head matches it with
    # weight A); NULL and false for the others.
    head_rank = RealField(null=True)
    in_title = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["word", "-rank", "position"], name="search_rankedword_rank"),
            models.Index(
                fields=["word", "-in_title", "-head_rank", "position"],
                condition=models.Q(in_head=True),
                name="search_rankedword_head",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.word} in lesson {self.lesson_id}"


class SearchWord(models.Model):
    """A word of the catalog as written (lower-cased, not stemmed): the vocabulary a search's
    last word is completed from, so typing "probin" also finds the lessons holding "probing",
    which the engines index by its stem "probe", a word "probin" does not begin
    (`search.engine`, `_completions`).

    Written with the documents (`search.indexing.index_lessons`), inside the import's
    transaction; never deleted: a word whose lessons were removed or rewritten stays, and only
    costs its completion a term that matches nothing (what a search finds is always the
    engine's index). Sorts bytewise, so the words beginning with a prefix are one range of the
    primary key's index.
    """

    word = BytewiseTextField(primary_key=True)

    def __str__(self) -> str:
        return self.word


class TermRows(models.Model):
    """SQLite: a lesson's rows by FTS5 term (the token as the table's porter tokenizer stems
    it), with the lesson's length in tokens as FTS5 counts it (``tokens``, every column) and
    the card's filter columns beside; primary key (term, lesson). No foreign-key constraint in
    the database: a lesson deleted through Django takes its rows along (CASCADE)."""

    term = models.TextField()
    lesson = models.ForeignKey(
        Lesson, on_delete=models.CASCADE, db_constraint=False, related_name="+", db_index=False
    )
    tokens = models.PositiveIntegerField()
    published = models.BooleanField()
    position = models.PositiveIntegerField(null=True)
    track = models.CharField(max_length=100)
    course_slug = models.SlugField(max_length=100, db_index=False)

    class Meta:
        abstract = True


class BodyTerm(TermRows):
    """SQLite: the body tier's ranking read by term, one row per term of FTS5's index (the
    token as the table's porter tokenizer stems it) that a lesson's body holds and its head
    (title, key terms and concepts) does not: how often the body holds it (``hits``), the
    lesson's length in tokens as FTS5 counts it (``tokens``, every column), and the card's
    filter columns beside.

    A one-word search whose prefix stands for exactly one term of FTS5's index ranks its body
    tier from these rows instead of having FTS5 score every match with bm25 (about 2 µs a
    row): for that query bm25 of a body-tier match is a function of ``hits`` and ``tokens``
    and of the table's row count, total length and the term's document count, which FTS5
    keeps and a search reads, so the statement computes the same floats in the same order of
    operations and ranks the same (`search.bm25.ranked`). Written from FTS5's
    index once at the end of each import, for the lessons it wrote
    (`search.indexing.rank_words`), its filter columns kept with the cards'
    (`search.indexing.refresh_cards`); empty on PostgreSQL. No foreign-key constraint in the
    database: a lesson deleted through Django takes its rows along (CASCADE).
    """

    pk = models.CompositePrimaryKey("term", "lesson")
    hits = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.term} in lesson {self.lesson_id}"


class HeadTerm(TermRows):
    """SQLite: the title and key-term tiers' ranking read by term, one row per term of FTS5's
    index that a lesson's head holds (its title, or its key terms and concepts): how often the
    title holds it (``title_hits``) and the key terms (``terms_hits``), the lesson's length in
    tokens as FTS5 counts it (``tokens``, every column), and the card's filter columns beside.

    The complement of `BodyTerm` (a lesson's term is in one of the two tables): a search whose
    words each stand for exactly one term of the heads ranks its title and key-term tiers from
    these rows, one row per word joined by lesson, rather than having FTS5 read every place of
    its words and score every match (`search.bm25.ranked_head`). Written and kept with
    `BodyTerm`'s rows, at the end of each import; empty on PostgreSQL. On SQLite a WITHOUT
    ROWID table (migration 0013), which Django cannot declare: a migration that makes the table
    again must keep that, or each row is read through the primary key's index.
    """

    pk = models.CompositePrimaryKey("term", "lesson")
    title_hits = models.PositiveIntegerField()
    terms_hits = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.term} in the head of lesson {self.lesson_id}"
