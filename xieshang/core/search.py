"""The indexed text search of every kind of object, made for Chinese: bigram documents (ADR 0007).

One index for the whole platform, keyed by (kind, object id): a kind ("proposal", "opinion" …) is
declared by its app in `Declarations.search_kinds` (kind -> dotted path of a builder, or a
`SearchKind`); the builder `fn(ids) -> iterable of Document` says what text of each object is
searched. Core knows nothing else of the objects.

    index("proposal", [pk])                        # in the service's transaction, after a write
    remove("proposal", [pk])                       # after a delete
    filter_by_text(qs, "proposal", "教育 局长")     # a selector narrows its queryset
    matching_ids(committee_id, "proposal", "教育")  # or asks for the ids (None: nothing to search)

Document
    The searchable text of an object in two parts: WORDS, its own words (title, number, text …), and
    NAMES, the names of people and bodies around it (NAMES can be left out of a search: the public
    portal searches WORDS only). The text is lower-cased and cut into *runs* of letters and digits
    (`str.isalnum`: Chinese characters, Latin letters, digits); punctuation and spaces only separate
    runs. Each run becomes its overlapping two-character grams plus its last character: "教育局" →
    教育@1 育局@2 局@3; a run of one character is just that character. Runs and fields keep their order;
    a run ends with a one-character gram and a phrase query is made of two-character grams only (see
    below), so no match runs across the end of a run or of a field unless the query itself crosses it.

Query
    The search text (at most MAX_QUERY characters) is split into words at spaces; each word is
    normalised the same way. A word of one character matches every gram that starts with it (a prefix
    query); a longer word is the phrase of its grams at consecutive positions, so an object matches
    exactly when its normalised text contains the normalised word. A word with punctuation inside
    ("13-3-0042") is one phrase across runs: its first run ends a run of the text (the one-character
    gram), the next one starts the following run. Several words: every one must match (in any field).
    Nothing left after normalising: no filter.

Storage (migration core 0009; table `core_search`, model `core.SearchEntry`)
    PostgreSQL: rows (kind, object_id, part, committee_id, version, digest, vector tsvector), primary
        key (kind, object_id, part), a GIN index on vector. The tsvector is written as a literal with
        explicit positions (one free position between runs, two between fields) and weights (D, the
        default: WORDS; A: NAMES), never through to_tsvector, and queried with an explicit tsquery
        (`'教育' <-> '育局'`, `'教':*`, across runs `'13' <-> '3' <2> '00'`). A tsvector holds
        positions up to 16383 and 256 positions per lexeme: a long document is stored in several
        parts, cut between runs, the end of the text before the cut repeated at the start of the next
        part, so that every match lies in one part.
    SQLite: an FTS5 table with the grams as space-separated tokens in two columns (words, names) and
        the `ascii` tokenizer, which keeps every gram one token (all non-ASCII characters are token
        characters); phrases ("教育 育局") and prefixes ("教" *) give the same matches. Fields inside a
        column are separated by FIELD_BREAK, a token no query has. The rowid encodes the key:
        (object_id << KIND_BITS) | kind_code(kind), so that a search reads the object ids and the
        kind from the full-text index alone (no lookup per match); `kind` and `object_id` are kept as
        UNINDEXED columns too. Two declared kinds with the same code are refused (ImproperlyConfigured)
        the first time the index is used.

Upkeep
    `index(kind, ids)` writes the documents in the caller's transaction (the services call it after
    every write of an indexed object, e.g. `xieshang.proposals.search.index_proposals`). Objects the
    builder no longer returns (deleted) lose their rows. Bulk writers call `reindex` (command
    `xieshang search_reindex [--stale] [--committee CODE] [--kind KIND]`). `version` is the object's
    version (Document.version, 0 when the kind has none) when its document was last written.

Digest
    Each row keeps `digest`: "<INDEX_FORMAT>:" and a hash of what the row holds (committee, and the
    FTS5 columns or the tsvector literals of every part). `index` builds the documents, compares
    digests and writes only the documents that changed: most writes of an object (a transition that
    changes no text) write nothing. Rows written before the digest existed (proposals' migration
    0005) have none: they count as written at format 1 and are rewritten at their next change.
    `reindex(stale_only=True)` looks, cheaply in SQL, for objects of the kind's model without a row,
    with a row of another INDEX_FORMAT, or whose version moved since their document was written (a kind
    without a version: every object); of those it rewrites the ones whose digest differs. Bump
    INDEX_FORMAT when a change to this module changes what documents hold: every document becomes stale.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils.module_loading import import_string

TABLE = "core_search"
MAX_QUERY = 100  # characters of the search text that count (the lists cut `q` at 100 too)
# Characters of one field that are indexed: typed text is at most core.text.BODY_MAX (50,000), so this only
# bounds text written around the services (old rows, bulk loads). Indexing 50,000 characters writes in about
# 0.2 s on SQLite, inside the service's transaction (a 9 MB body once held the write lock for 11 s).
FIELD_MAX = 60_000
WORDS, NAMES = "words", "names"  # the two parts of a document: the object's own words / names of people and bodies
FIELD_BREAK = "¦"  # SQLite: the token between two fields of a column (not alphanumeric: never in a query)
BATCH = 2000
# The format of the stored documents (the first part of every row's digest). Bump it when a change to
# this module changes what documents hold: `reindex(stale_only=True)` then rewrites every document.
INDEX_FORMAT = 1
# SQLite: rowid = (object_id << KIND_BITS) | kind_code(kind)
KIND_BITS = 16
KIND_MASK = (1 << KIND_BITS) - 1

# PostgreSQL: a tsvector keeps positions 1..16383 and at most 256 positions per lexeme.
PG_MAX_POSITION = 16383
PG_MAX_OCCURRENCES = 255
# PostgreSQL: a run longer than PIECE characters is stored as pieces of PIECE characters overlapping by
# MAX_QUERY (every word of a query fits in one piece), each piece set apart like a field.
PIECE = 150
PG_WEIGHTS = {WORDS: "D", NAMES: "A"}  # D is the default weight: written without a letter

_RUN = re.compile(r"[^\W_]+")  # a run of characters for which str.isalnum() is true


# --- Kinds --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchKind:
    """A kind of searchable object, as an app declares it in `Declarations.search_kinds`.

    builder: dotted path (or callable) of fn(ids) -> iterable of Document, one per object of `ids`
        that exists (ids it does not return are removed from the index).
    model: "app_label.Model" whose rows `reindex` walks (its primary key is the object id). None: the
        kind is only rebuilt for the ids already in the index.
    version_field: the model's version column (bumped by every write), or None: `reindex --stale`
        then rebuilds every document of the kind and compares digests.
    committee_field: the model's committee column (`--committee`).
    plural: how the command counts them ("proposals").
    names: the rows whose names the documents carry, as {"app_label.Model": (lookup, …)} with lookups on
        `model` ({"core.SpecialCommittee": ("special_committee",)}): when an administration service renames
        such a row, the documents of the objects it names are written again (`reindex_naming`).
    """

    builder: str | Callable
    model: str | None = None
    version_field: str | None = "version"
    committee_field: str = "committee_id"
    plural: str = ""
    names: dict = field(default_factory=dict, hash=False, compare=False)

    @functools.cached_property
    def build(self) -> Callable[[Sequence[int]], Iterable[Document]]:
        return import_string(self.builder) if isinstance(self.builder, str) else self.builder

    def model_class(self):
        return apps.get_model(self.model) if self.model else None


def kind_code(kind: str) -> int:
    """The kind's number inside SQLite rowids (16 bits of its CRC-32)."""
    return zlib.crc32(kind.encode()) & KIND_MASK


def kinds() -> dict[str, SearchKind]:
    """Every declared kind (Declarations.search_kinds of every app), checked once per process."""
    return _kinds(_declared())


def _declared() -> tuple:
    from xieshang.core import registry

    return tuple(registry.search_kinds().items())


@functools.cache
def _kinds(declared: tuple) -> dict[str, SearchKind]:
    out: dict[str, SearchKind] = {}
    codes: dict[int, str] = {}
    for name, spec in declared:
        if not isinstance(spec, SearchKind):
            spec = SearchKind(builder=spec, model=None, version_field=None)
        code = kind_code(name)
        if code in codes:
            raise ImproperlyConfigured(
                f"search kinds {codes[code]!r} and {name!r} share the index code {code}: rename one of them"
            )
        codes[code] = name
        out[name] = spec
    return out


def get_kind(kind: str) -> SearchKind:
    try:
        return kinds()[kind]
    except KeyError:
        raise ValueError(f"unknown search kind {kind!r} (declare it in Declarations.search_kinds)") from None


# --- Normalisation ------------------------------------------------------------------------------


def runs(text: str | None) -> list[str]:
    """The runs of letters and digits of `text`, lower-cased: "关于13-3-0042号，Wi-Fi" → ["关于13", "3", "0042号", "wi", "fi"]."""
    return _RUN.findall((text or "").lower())


def normalise(text: str | None) -> str:
    """The text as the search sees it: its runs joined by one space."""
    return " ".join(runs(text))


def grams(run: str) -> list[str]:
    """The grams of one run: its overlapping pairs and its last character ("教育局" → 教育, 育局, 局)."""
    return [run[i:i + 2] for i in range(len(run) - 1)] + [run[-1]]


# --- Documents ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A document's text as fields of runs: ((WORDS|NAMES, (run, …)), …)."""

    fields: tuple[tuple[str, tuple[str, ...]], ...]

    def fts5(self, part: str) -> str:
        """SQLite: the FTS5 column `part` — the grams separated by spaces, fields by FIELD_BREAK."""
        return f" {FIELD_BREAK} ".join(
            " ".join([" ".join(grams(run)) for run in field_runs]) for name, field_runs in self.fields if name == part
        )

    def tsvectors(self) -> list[str]:
        """PostgreSQL: the tsvector literals of the document's parts (one unless the text is very long)."""
        return _pg_parts(self)


def _bounded(text: str | None) -> str | None:
    return text[:FIELD_MAX] if isinstance(text, str) and len(text) > FIELD_MAX else text


def build_document(*, words: Iterable[str | None] = (), names: Iterable[str | None] = ()) -> Text:
    """The Text of fields `words` (the object's own words) and `names`, in this order; empty fields are left out.
    A field counts up to FIELD_MAX characters (what the services let in is shorter: core.text)."""
    fields = [(WORDS, tuple(runs(_bounded(text)))) for text in words] + [
        (NAMES, tuple(runs(_bounded(text)))) for text in names]
    return Text(tuple((name, field_runs) for name, field_runs in fields if field_runs))


@dataclass(frozen=True)
class Document:
    """What the index holds of one object: its key, its committee and its text.

    The WORDS column holds `title`, then `body`, then every string of `words`, each a field; NAMES
    holds `names`. `version`: the object's version (for `reindex --stale`), 0 when it has none.
    `year` is accepted for builders that pass it; it is not indexed (filter the queryset by year).
    """

    kind: str
    object_id: int
    committee_id: int
    title: str | None = ""
    body: str | None = ""
    year: int | None = None
    words: tuple[str | None, ...] = ()
    names: tuple[str | None, ...] = ()
    version: int = 0
    _text: Text | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def text(self) -> Text:
        if self._text is None:
            object.__setattr__(self, "_text", build_document(words=(self.title, self.body, *self.words), names=self.names))
        return self._text


# --- PostgreSQL parts ---------------------------------------------------------------------------


def _quote(lexeme: str) -> str:
    """A lexeme quoted for a tsvector or tsquery literal (quotes doubled, backslashes escaped)."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def _pieces(fields) -> Iterable[tuple[str, bool, str]]:
    """(run, joined to the run before?, weight) for every run of the document, long runs in pieces."""
    overlap = MAX_QUERY
    step = PIECE - overlap
    for name, field_runs in fields:
        weight = PG_WEIGHTS[name]
        joined = False
        for run in field_runs:
            if len(run) <= PIECE:
                yield run, joined, weight
            else:
                start = 0
                while True:
                    # the first piece follows the run before it; the others stand apart like fields
                    yield run[start:start + PIECE], joined and start == 0, weight
                    if start + PIECE >= len(run):
                        break
                    start += step
            joined = True


class _Part:
    def __init__(self):
        self.lexemes: dict[str, list[str]] = {}
        self.last = 0  # the last position used

    def fits(self, run_grams: list[str], start: int) -> bool:
        if start + len(run_grams) - 1 > PG_MAX_POSITION:
            return False
        return all(len(self.lexemes.get(g, ())) + n <= PG_MAX_OCCURRENCES for g, n in Counter(run_grams).items())

    def add(self, run_grams: list[str], start: int, weight: str) -> None:
        for i, g in enumerate(run_grams):
            self.lexemes.setdefault(g, []).append(f"{start + i}{'' if weight == 'D' else weight}")
        self.last = start + len(run_grams) - 1

    def literal(self) -> str:
        return " ".join(f"{_quote(g)}:{','.join(positions)}" for g, positions in self.lexemes.items())


def _tail(segment: list[str]) -> list[str]:
    """The last runs of a segment that hold the MAX_QUERY characters before the next run."""
    covered, out = 0, []
    for run in reversed(segment):
        out.append(run)
        covered += len(run) + 1
        if covered >= MAX_QUERY:
            break
    return out[::-1]


def _pg_single(doc: Text) -> str | None:
    """The tsvector literal of a document that fits in one part (the usual case; None otherwise).

    One entry per gram, in order ("'教育':1 '育局':2 …"): PostgreSQL merges the positions of a lexeme.
    Grams are letters and digits only, so they need no escaping inside the quotes."""
    entries: list[str] = []
    every: list[str] = []
    last = -2  # the first field starts at position 1
    for name, field_runs in doc.fields:
        weight = PG_WEIGHTS[name].replace("D", "")
        start = last + 3
        for run in field_runs:
            run_grams = grams(run)
            entries += [f"'{g}':{start + i}{weight}" for i, g in enumerate(run_grams)]
            every += run_grams
            last = start + len(run) - 1
            start = last + 2
    if last > PG_MAX_POSITION:
        return None
    if len(every) > PG_MAX_OCCURRENCES and max(Counter(every).values()) > PG_MAX_OCCURRENCES:
        return None
    return " ".join(entries)


def _pg_parts(doc: Text) -> list[str]:
    """The tsvector literals of a document: runs at consecutive positions with one free position
    between runs (a query crossing runs asks for distance 2) and two between fields."""
    single = _pg_single(doc)
    if single is not None:
        return [single]
    parts: list[str] = []
    part = _Part()
    segment: list[str] = []  # the runs joined to each other so far (for the repeat after a cut)
    for run, joined, weight in _pieces(doc.fields):
        run_grams = grams(run)
        start = part.last + (2 if joined else 3) if part.last else 1
        if part.last and not part.fits(run_grams, start):
            parts.append(part.literal())
            part = _Part()
            if joined:  # a match may cross this cut: the next part starts with the end of the text before it
                for earlier in _tail(segment):
                    part.add(grams(earlier), part.last + 2 if part.last else 1, weight)
            start = part.last + 2 if part.last else 1
        part.add(run_grams, start, weight)
        segment = _tail(segment + [run]) if joined else [run]
    parts.append(part.literal())
    return parts


# --- Queries ------------------------------------------------------------------------------------


def _tokens(word: tuple[str, ...]) -> list[tuple[str, int, bool]]:
    """(gram, position from the word's start, prefix?) of one word given as runs.

    Runs before the last are written as in documents (pairs and the run's last character: the run
    ends there); the last run gives its pairs, or its single character as a prefix."""
    out, position = [], 0
    for i, run in enumerate(word):
        if i < len(word) - 1:
            out += [(g, position + j, False) for j, g in enumerate(grams(run))]
            position += len(run) + 1
        elif len(run) == 1:
            out.append((run, position, True))
        else:
            out += [(run[j:j + 2], position + j, False) for j in range(len(run) - 1)]
    return out


@dataclass(frozen=True)
class Query:
    """The normalised search: its words, each as its runs."""

    words: tuple[tuple[str, ...], ...]

    def fts5(self, scope: str | None = None) -> str:
        """SQLite: the FTS5 MATCH expression (every word a quoted phrase; AND between words)."""
        phrases = []
        for word in self.words:
            tokens = _tokens(word)
            body = " ".join(g.replace('"', '""') for g, _pos, _prefix in tokens)
            phrase = f'"{body}"' + (" *" if tokens[-1][2] else "")
            phrases.append(f"{scope} : {phrase}" if scope else phrase)
        return " AND ".join(phrases)

    def tsqueries(self, scope: str | None = None) -> list[str]:
        """PostgreSQL: one tsquery per word (a word must match within one part of a document)."""
        weight = PG_WEIGHTS[scope] if scope else ""
        out = []
        for word in self.words:
            text, previous = "", None
            for gram, position, prefix in _tokens(word):
                operand = _quote(gram) + (f":*{weight}" if prefix else (f":{weight}" if weight else ""))
                if previous is None:
                    text = operand
                else:
                    distance = position - previous
                    text += (" <-> " if distance == 1 else f" <{distance}> ") + operand
                previous = position
            out.append(text)
        return out


def query_for(text: str | None) -> Query | None:
    """The query for a search text, or None when nothing is left to search for."""
    words = tuple(tuple(runs(word)) for word in (text or "")[:MAX_QUERY].split())
    words = tuple(w for w in words if w)
    return Query(words) if words else None


def _subqueries(vendor: str, kind: str, query: Query, scope: str | None, committee_id) -> list[tuple[str, list]]:
    """(sql, params) selecting the matching object ids: one per word on PostgreSQL, one on SQLite.

    SQLite filters the committee only when asked to (`committee_id`); the lists' querysets are of one
    committee already, and reading the committee column costs a lookup per match."""
    if scope not in (None, WORDS, NAMES):
        raise ValueError(f"unknown search scope {scope!r}")
    if vendor == "postgresql":
        out = []
        for tsquery in query.tsqueries(scope):
            sql, params = f"SELECT object_id FROM {TABLE} WHERE vector @@ %s::tsquery AND kind = %s", [tsquery, kind]
            if committee_id is not None:
                sql += " AND committee_id = %s"
                params.append(committee_id)
            out.append((sql, params))
        return out
    sql = f"SELECT rowid >> {KIND_BITS} FROM {TABLE} WHERE {TABLE} MATCH %s AND (rowid & {KIND_MASK}) = %s"
    params = [query.fts5(scope), kind_code(kind)]
    if committee_id is not None:
        sql += " AND committee_id = %s"
        params.append(committee_id)
    return [(sql, params)]


def filter_by_text(qs, kind: str, text: str | None, *, scope: str | None = None, committee=None, field: str = "pk"):
    """`qs` restricted to the objects of `kind` whose text contains `text` (see the module's docstring);
    `qs` unchanged when nothing is left to search for.

    `scope=WORDS` searches the objects' own words only (the public portal); `committee` (a Committee
    or id), when every row of `qs` is of one committee, narrows the index scan on PostgreSQL.
    `field`: the column of `qs` that holds the object id (default its primary key)."""
    query = query_for(text)
    if query is None:
        return qs
    get_kind(kind)
    vendor = connections[qs.db].vendor
    committee_id = getattr(committee, "pk", committee) if vendor == "postgresql" else None
    for sql, params in _subqueries(vendor, kind, query, scope, committee_id):
        qs = qs.filter(**{f"{field}__in": RawSQL(sql, params)})
    return qs


def matching_ids(committee_id, kind: str, text: str | None, *, scope: str | None = None,
                 using: str | None = None) -> list[int] | None:
    """The ids of the objects of `kind` in committee `committee_id` (a Committee or id) whose text
    contains `text`, in increasing order; None when nothing is left to search for (no filter)."""
    query = query_for(text)
    if query is None:
        return None
    get_kind(kind)
    committee_id = getattr(committee_id, "pk", committee_id)
    using = using or router.db_for_read(_model())
    found: set[int] | None = None
    with connections[using].cursor() as cursor:
        for sql, params in _subqueries(connections[using].vendor, kind, query, scope, committee_id):
            cursor.execute(sql, params)
            ids = {row[0] for row in cursor.fetchall()}
            found = ids if found is None else found & ids
    return sorted(found or ())


# --- Writing the index --------------------------------------------------------------------------

# How `reindex` empties the table before rebuilding everything (as migration core 0009 made it: keep
# the two alike).
# SQLite: an FTS5 table deletes row by row, reading each document back, so it is dropped and created
# again; PostgreSQL: the GIN index is built once at the end rather than row by row.
FTS5_TABLE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(kind UNINDEXED, object_id UNINDEXED, part UNINDEXED, "
    "committee_id UNINDEXED, version UNINDEXED, digest UNINDEXED, words, names, tokenize = 'ascii', columnsize = 0)"
)
_PG_VECTOR_INDEX = f"CREATE INDEX IF NOT EXISTS core_search_vector ON {TABLE} USING gin (vector)"
_EMPTY_TABLE = {
    "postgresql": [f"TRUNCATE {TABLE}", "DROP INDEX IF EXISTS core_search_vector"],
    "sqlite": [f"DROP TABLE {TABLE}", FTS5_TABLE],
}


def _model():
    from xieshang.core.models import SearchEntry

    return SearchEntry


def _rowid(kind: str, object_id: int) -> int:
    return (int(object_id) << KIND_BITS) | kind_code(kind)


def _digest(committee_id, payload: Sequence[str]) -> str:
    """The digest of a row's content: its format, committee and columns (FTS5) or parts (tsvectors)."""
    h = hashlib.blake2b(str(committee_id).encode(), digest_size=16)
    for text in payload:  # (no NUL in grams, FIELD_BREAK nor tsvector literals: the separator is unambiguous)
        h.update(b"\0" + text.encode())
    return f"{INDEX_FORMAT}:{h.hexdigest()}"


def _rows(vendor: str, docs: Iterable[Document]) -> list[tuple[int, int, int, str, list[str]]]:
    """(object id, committee id, version, digest, payload) of documents, payload as it is written:
    the FTS5 columns (words, names) or the tsvector literals of the parts."""
    out = []
    for doc in docs:
        text = doc.text
        payload = text.tsvectors() if vendor == "postgresql" else [text.fts5(WORDS), text.fts5(NAMES)]
        out.append((doc.object_id, doc.committee_id, doc.version, _digest(doc.committee_id, payload), payload))
    return out


def _stored_digests(cursor, vendor: str, kind: str, ids: Sequence[int]) -> dict[int, str | None]:
    """The digests of the rows of `ids` (None: a row from before the digest; absent: no row)."""
    if not ids:
        return {}
    if vendor == "postgresql":
        cursor.execute(f"SELECT object_id, digest FROM {TABLE} WHERE kind = %s AND object_id = ANY(%s) AND part = 0",
                       [kind, list(ids)])
    else:
        cursor.execute(f"SELECT rowid >> {KIND_BITS}, digest FROM {TABLE} WHERE rowid IN ({', '.join(['%s'] * len(ids))})",
                       [_rowid(kind, i) for i in ids])
    return dict(cursor.fetchall())


def _changed(cursor, vendor: str, kind: str, rows):
    """The rows whose stored digest differs (or that have no row)."""
    stored = _stored_digests(cursor, vendor, kind, [oid for oid, *_rest in rows])
    return [row for row in rows if stored.get(row[0]) != row[3]]


def _write(cursor, vendor: str, kind: str, rows) -> None:
    if not rows:
        return
    if vendor == "postgresql":
        ids = [oid for oid, *_rest in rows]
        cursor.execute(f"DELETE FROM {TABLE} WHERE kind = %s AND object_id = ANY(%s)", [kind, ids])  # (a document may shrink)
        cursor.executemany(
            f"INSERT INTO {TABLE} (kind, object_id, part, committee_id, version, digest, vector) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s::tsvector)",
            [
                (kind, oid, part, cid, version, digest, vector)
                for oid, cid, version, digest, vectors in rows for part, vector in enumerate(vectors)
            ],
        )
    else:  # FTS5 replaces a row with the same rowid
        cursor.executemany(
            f"INSERT OR REPLACE INTO {TABLE} (rowid, kind, object_id, part, committee_id, version, digest, words, names) "
            "VALUES (%s, %s, %s, 0, %s, %s, %s, %s, %s)",
            [(_rowid(kind, oid), kind, oid, cid, version, digest, *columns) for oid, cid, version, digest, columns in rows],
        )


def _delete(cursor, vendor: str, kind: str, ids: Sequence[int]) -> None:
    if not ids:
        return
    if vendor == "postgresql":
        cursor.execute(f"DELETE FROM {TABLE} WHERE kind = %s AND object_id = ANY(%s)", [kind, list(ids)])
    else:
        cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({', '.join(['%s'] * len(ids))})",
                       [_rowid(kind, i) for i in ids])


def _documents(kind: str, builder, ids: Sequence[int]) -> list[Document]:
    wanted = set(ids)
    docs = list(builder(ids))
    for doc in docs:
        if doc.kind != kind or doc.object_id not in wanted:
            raise ValueError(f"the builder of search kind {kind!r} returned a document of {doc.kind!r} #{doc.object_id}")
    return docs


def _ids(ids: Iterable) -> list[int]:
    return sorted({int(getattr(i, "pk", i)) for i in ids if getattr(i, "pk", i) is not None})


def index(kind: str, ids: Iterable, *, using: str | None = None, batch: int = 500, builder=None) -> int:
    """Write the documents of the objects `ids` (ids or model rows) of `kind` that changed since they
    were written (their digest differs, or they have none), in the caller's transaction. Objects the
    builder does not return (deleted) are removed from the index. Returns how many were written.
    (`builder`: instead of the declared one; migrations pass theirs, reading historical models.)"""
    builder = builder or get_kind(kind).build
    ids = _ids(ids)
    using = using or router.db_for_write(_model())
    vendor = connections[using].vendor
    written = 0
    with connections[using].cursor() as cursor:
        for start in range(0, len(ids), batch):
            chunk = ids[start:start + batch]
            docs = _documents(kind, builder, chunk)
            rows = _changed(cursor, vendor, kind, _rows(vendor, docs))
            _write(cursor, vendor, kind, rows)
            if len(docs) < len(chunk):
                _delete(cursor, vendor, kind, sorted(set(chunk) - {doc.object_id for doc in docs}))
            written += len(rows)
    return written


NAME_FIELDS = frozenset({"name", "full_name", "username"})  # what a document may carry of a row (a user: display_name)


def reindex_naming(obj, changes: dict) -> int:
    """After an administration service renamed `obj` (a member, a party or group, a special committee, a unit, a
    station, a user …): write again, in its transaction, the documents of every kind that names it
    (`SearchKind.names`). Returns how many were written."""
    if not NAME_FIELDS & set(changes):
        return 0
    written = 0
    for kind, spec in kinds().items():
        lookups = spec.names.get(obj._meta.label)
        if not lookups or spec.model is None:
            continue
        match = Q()
        for lookup in lookups:
            match |= Q(**{lookup: obj})
        ids = spec.model_class()._default_manager.filter(match).values_list("pk", flat=True).distinct()
        written += index(kind, list(ids))
    return written


def remove(kind: str, ids: Iterable, *, using: str | None = None) -> None:
    """Remove the documents of the objects `ids` (ids or model rows) of `kind` (after their delete)."""
    ids = _ids(ids)
    using = using or router.db_for_write(_model())
    with connections[using].cursor() as cursor:
        for start in range(0, len(ids), 500):
            _delete(cursor, connections[using].vendor, kind, ids[start:start + 500])


def _stale_ids_sql(vendor: str, kind: str, spec: SearchKind, model, committee_id) -> tuple[str, list]:
    """The objects whose document may be stale: no row, a row of another format (rows without a
    digest count as format 1), or an object whose version moved since its document was written (a
    kind without a version: every object). `reindex` then compares digests."""
    table = model._meta.db_table
    pk = model._meta.pk.column
    join = (f"s.kind = %s AND s.object_id = p.{pk} AND s.part = 0" if vendor == "postgresql"
            else f"s.rowid = ((p.{pk} << {KIND_BITS}) | %s)")
    params: list = [kind if vendor == "postgresql" else kind_code(kind)]
    if spec.version_field:
        version = model._meta.get_field(spec.version_field).column
        where = f"(s.object_id IS NULL OR s.version <> p.{version} OR COALESCE(s.digest, '1:') NOT LIKE %s)"
        params.append(f"{INDEX_FORMAT}:%")
    else:
        where = "1 = 1"
    sql = f"SELECT p.{pk} FROM {table} p LEFT JOIN {TABLE} s ON {join} WHERE {where}"
    if committee_id is not None:
        sql += f" AND p.{model._meta.get_field(spec.committee_field).column} = %s"
        params.append(committee_id)
    return sql + f" ORDER BY p.{pk}", params


def _indexed_ids(cursor, vendor: str, kind: str, committee_id) -> list[int]:
    sql = f"SELECT DISTINCT object_id FROM {TABLE} WHERE kind = %s"
    params: list = [kind]
    if committee_id is not None:
        sql += " AND committee_id = %s"
        params.append(committee_id)
    cursor.execute(sql + " ORDER BY object_id", params)
    return [int(row[0]) for row in cursor.fetchall()]


def _id_batches(spec: SearchKind, model, kind: str, using: str, committee_id, batch: int, stale_only: bool,
                known: list[int] | None):
    """The ids to (re)index, in batches. `known`: the ids of a kind without a model, read before the table was emptied."""
    vendor = connections[using].vendor
    if model is None:
        if known is None:
            with connections[using].cursor() as cursor:
                known = _indexed_ids(cursor, vendor, kind, committee_id)
        pending = known
    elif stale_only:
        with connections[using].cursor() as cursor:
            cursor.execute(*_stale_ids_sql(vendor, kind, spec, model, committee_id))
            pending = [row[0] for row in cursor.fetchall()]
    else:
        ids = model._base_manager.using(using).order_by("pk")
        if committee_id is not None:
            ids = ids.filter(**{spec.committee_field: committee_id})
        last = None
        while chunk := list((ids if last is None else ids.filter(pk__gt=last)).values_list("pk", flat=True)[:batch]):
            yield chunk
            last = chunk[-1]
        return
    for start in range(0, len(pending), batch):
        yield pending[start:start + batch]


def _remove_orphans(cursor, vendor: str, kind: str, model, committee_id) -> None:
    """Rows of `kind` whose object no longer exists (of one committee when given)."""
    table, pk = model._meta.db_table, model._meta.pk.column
    if vendor == "postgresql":
        sql = f"DELETE FROM {TABLE} WHERE kind = %s AND object_id NOT IN (SELECT {pk} FROM {table})"
        params: list = [kind]
    else:
        sql = (f"DELETE FROM {TABLE} WHERE (rowid & {KIND_MASK}) = %s AND kind = %s "
               f"AND (rowid >> {KIND_BITS}) NOT IN (SELECT {pk} FROM {table})")
        params = [kind_code(kind), kind]
    if committee_id is not None:
        sql += " AND committee_id = %s"
        params.append(committee_id)
    cursor.execute(sql, params)


def reindex(*, kind: str | None = None, committee=None, batch: int = BATCH, stale_only: bool = False,
            using: str | None = None, stdout=None, builder=None, model=None) -> dict[str, int]:
    """Rebuild the index of every object of `kind` (every declared kind when None; of `committee`,
    a Committee or id, when given) in batches of `batch`, each in its own transaction; rows of
    objects that no longer exist are removed. With `stale_only`, only the stale documents (see
    `_stale_ids_sql`): those whose digest differs are written, and counted.

    Everything (no kind, no committee, not stale_only) starts from an empty table (one kind, no
    committee: from no row of that kind): searches find fewer objects until the rebuild ends (on
    PostgreSQL without the GIN index, which is built at the end). Returns {kind: objects indexed}.
    (`builder`, `model`: for one kind, instead of the declared ones; migrations pass historical ones.)"""
    declared = kinds()
    if kind is not None:
        spec = declared.get(kind) or (SearchKind(builder=builder, model=None) if builder else None)
        if spec is None:
            raise ValueError(f"unknown search kind {kind!r}")
        selected = {kind: spec}
    else:
        selected = declared
    using = using or router.db_for_write(_model())
    connection = connections[using]
    vendor = connection.vendor
    committee_id = getattr(committee, "pk", committee)
    rebuild = committee_id is None and not stale_only
    everything = rebuild and kind is None
    models = {name: (model if name == kind and model is not None else spec.model_class())
              for name, spec in selected.items()}
    known: dict[str, list[int]] = {}
    if rebuild:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for name in selected:  # kinds without a model keep the ids they had
                if models[name] is None:
                    known[name] = _indexed_ids(cursor, vendor, name, None)
            if everything:  # rewriting rows one by one costs far more than filling an empty table
                for sql in _EMPTY_TABLE[vendor]:
                    cursor.execute(sql)
            else:
                cursor.execute(f"DELETE FROM {TABLE} WHERE kind = %s", [kind])
    counts: dict[str, int] = {}
    started = time.monotonic()
    for name, spec in selected.items():
        build = builder if (builder is not None and name == kind) else spec.build
        done = 0
        for chunk in _id_batches(spec, models[name], name, using, committee_id, max(1, int(batch)), stale_only,
                                 known.get(name)):
            with transaction.atomic(using=using), connection.cursor() as cursor:
                docs = _documents(name, build, chunk)
                rows = _rows(vendor, docs)
                if stale_only:
                    rows = _changed(cursor, vendor, name, rows)
                _write(cursor, vendor, name, rows)
                if models[name] is None and len(docs) < len(chunk):
                    _delete(cursor, vendor, name, sorted(set(chunk) - {doc.object_id for doc in docs}))
            done += len(rows)
            if stdout is not None and done // 50000 != (done - len(rows)) // 50000:
                stdout.write(f"  {done} {spec.plural or name + 's'} indexed ({time.monotonic() - started:.0f} s)\n")
        if models[name] is not None and not everything:
            with transaction.atomic(using=using), connection.cursor() as cursor:
                _remove_orphans(cursor, vendor, name, models[name], committee_id)
        counts[name] = done
    if vendor == "postgresql":
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(_PG_VECTOR_INDEX)  # after a full rebuild (or one that was interrupted)
    return counts


__all__ = [
    "Document", "Query", "SearchKind", "Text", "build_document", "filter_by_text", "get_kind", "grams", "index",
    "kind_code", "kinds", "matching_ids", "normalise", "query_for", "reindex", "reindex_naming", "remove", "runs",
]
