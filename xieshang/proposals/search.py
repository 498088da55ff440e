"""The indexed text search of proposals, made for Chinese: bigram documents (ADR 0007).

Document
    The searchable text of a proposal — its own words (subject, number, text) and the names around it
    (lead proposer, co-signers who signed, party or group, special committee, sector) — is lower-cased
    and cut into *runs* of letters and digits (`str.isalnum`: Chinese characters, Latin letters,
    digits); punctuation and spaces only separate runs. Each run becomes its overlapping two-character
    grams plus its last character: "教育局" → 教育@1 育局@2 局@3; a run of one character is just that
    character. Runs and fields keep their order; a run ends with a one-character gram and a phrase
    query is made of two-character grams only (see below), so no match runs across the end of a run or
    of a field unless the query itself crosses it.

Query
    The search text (at most MAX_QUERY characters) is split into words at spaces; each word is
    normalised the same way. A word of one character matches every gram that starts with it (a prefix
    query); a longer word is the phrase of its grams at consecutive positions, so a proposal matches
    exactly when its normalised text contains the normalised word. A word with punctuation inside
    ("13-3-0042") is one phrase across runs: its first run ends a run of the text (the one-character
    gram), the next one starts the following run. Several words: every one must match (in any field).
    Nothing left after normalising: no filter.

Storage (migration 0003; table `proposals_search`)
    PostgreSQL: rows (proposal_id, part, committee_id, version, vector tsvector) with a GIN index on
        vector. The tsvector is written as a literal with explicit positions (one free position
        between runs, two between fields) and weights (D, the default: the proposal's words; A: names),
        never through to_tsvector, and queried with an explicit tsquery (`'教育' <-> '育局'`, `'教':*`,
        across runs `'13' <-> '3' <2> '00'`). A tsvector holds positions up to 16383 and 256 positions per
        lexeme: a long proposal is stored in several parts, cut between runs, the end of the text
        before the cut repeated at the start of the next part, so that every match lies in one part.
    SQLite: an FTS5 table (rowid = proposal id) with the grams as space-separated tokens in two
        columns (words, names) and the `ascii` tokenizer, which keeps every gram one token (all
        non-ASCII characters are token characters); phrases ("教育 育局") and prefixes ("教" *) give
        the same matches. Fields inside a column are separated by FIELD_BREAK, a token no query has.

Upkeep
    `index_proposals(ids)` writes the documents in the caller's transaction: services.proposal_create,
    services.proposal_act (every transition) and services.proposals_import call it; renames of
    members, organisations, special committees and sectors reach `organisation_row_changed` through
    settings.XIESHANG_ORGANISATION_CHANGE_HANDLERS. Bulk writers call `reindex` (command
    `xieshang search_reindex`). `version` is the proposal's version when its document was last written.

Digest (migration 0005)
    Each row keeps `digest`: "<INDEX_FORMAT>:" and a hash of what the row holds (committee, and the FTS5
    columns or the tsvector literals of every part). `index_proposals` builds the document, compares
    digests and writes only the documents that changed: most transitions (invite, submit, decline,
    close co-signing, assign, acknowledge, reply …) change nothing that is indexed and write
    nothing (the row's `version` stays behind the proposal's). Drafts are indexed too: their authors
    search them in their own list. Rows written before migration 0005 have
    no digest: they count as written at format 1 (what they hold) and are rewritten at their next change.
    `reindex(stale_only=True)` looks, cheaply in SQL, for proposals without a row, with a row of
    another INDEX_FORMAT, or whose version moved since their document was written; of those it
    rewrites the ones whose digest differs. Bump INDEX_FORMAT when a change to this module changes
    what documents hold: every document becomes stale.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.models.expressions import RawSQL

TABLE = "proposals_search"
MAX_QUERY = 100  # characters of the search text that count (the lists cut `q` at 100 too)
WORDS, NAMES = "words", "names"  # the two parts of a document: the proposal's own words / names of people and bodies
FIELD_BREAK = "¦"  # SQLite: the token between two fields of a column (not alphanumeric: never in a query)
BATCH = 2000
# The format of the stored documents (the first part of every row's digest). Bump it when a change to
# this module changes what documents hold: `reindex(stale_only=True)` then rewrites every document.
INDEX_FORMAT = 1

# PostgreSQL: a tsvector keeps positions 1..16383 and at most 256 positions per lexeme.
PG_MAX_POSITION = 16383
PG_MAX_OCCURRENCES = 255
# PostgreSQL: a run longer than PIECE characters is stored as pieces of PIECE characters overlapping by
# MAX_QUERY (every word of a query fits in one piece), each piece set apart like a field.
PIECE = 150
PG_WEIGHTS = {WORDS: "D", NAMES: "A"}  # D is the default weight: written without a letter

_RUN = re.compile(r"[^\W_]+")  # a run of characters for which str.isalnum() is true


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
class Document:
    """A proposal's searchable text as fields of runs: ((WORDS|NAMES, (run, …)), …)."""

    fields: tuple[tuple[str, tuple[str, ...]], ...]

    def fts5(self, part: str) -> str:
        """SQLite: the FTS5 column `part` — the grams separated by spaces, fields by FIELD_BREAK."""
        return f" {FIELD_BREAK} ".join(
            " ".join([" ".join(grams(run)) for run in field_runs]) for name, field_runs in self.fields if name == part
        )

    def tsvectors(self) -> list[str]:
        """PostgreSQL: the tsvector literals of the document's parts (one unless the text is very long)."""
        return _pg_parts(self)


def build_document(*, words: Iterable[str | None] = (), names: Iterable[str | None] = ()) -> Document:
    fields = [(WORDS, tuple(runs(text))) for text in words] + [(NAMES, tuple(runs(text))) for text in names]
    return Document(tuple((name, field_runs) for name, field_runs in fields if field_runs))


def _sector_name(sector_name: str, lead_sector: str | None) -> str:
    # as proposal_list's sector filter: the sector recorded at submission, else the lead proposer's
    return sector_name or lead_sector or ""


def document_for(proposal) -> Document:
    """The document of one proposal (reads its related names and signed co-signers)."""
    from .models import CoSigner

    lead = proposal.lead_proposer if proposal.lead_proposer_id else None
    cosigners = list(
        CoSigner.objects.filter(proposal_id=proposal.pk, state=CoSigner.State.SIGNED)
        .order_by("id").values_list("member__name", flat=True)
    ) if proposal.pk else []
    return build_document(
        words=(proposal.title, proposal.number, proposal.body),
        names=(
            lead.name if lead else "", *cosigners,
            proposal.organization.name if proposal.organization_id else "",
            proposal.special_committee.name if proposal.special_committee_id else "",
            _sector_name(proposal.sector_name, lead.sector.name if lead and lead.sector_id else ""),
        ),
    )


_ROW_FIELDS = (
    "id", "committee_id", "version", "title", "number", "body", "lead_proposer__name", "organization__name",
    "special_committee__name", "sector_name", "lead_proposer__sector__name",
)


def _documents(ids: Sequence[int], using: str, models=None) -> list[tuple[int, int, int, Document]]:
    """(proposal id, committee id, version, Document) for the proposals `ids` that exist, read in two queries."""
    if models is None:
        from .models import CoSigner, Proposal
    else:
        Proposal, CoSigner = models
    signed = defaultdict(list)
    for pid, name in (
        CoSigner.objects.using(using).filter(proposal_id__in=ids, state="signed")
        .order_by("proposal_id", "id").values_list("proposal_id", "member__name")
    ):
        signed[pid].append(name)
    out = []
    for pid, cid, version, title, number, body, lead, org, special, sector, lead_sector in (
        Proposal.objects.using(using).filter(pk__in=ids).order_by("pk").values_list(*_ROW_FIELDS)
    ):
        doc = build_document(
            words=(title, number, body),
            names=(lead, *signed.get(pid, ()), org, special, _sector_name(sector, lead_sector)),
        )
        out.append((pid, cid, version, doc))
    return out


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


def _pg_single(doc: Document) -> str | None:
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


def _pg_parts(doc: Document) -> list[str]:
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


def filter_queryset(qs, text: str | None, *, scope: str | None = None, committee=None):
    """`qs` restricted to the proposals whose text contains `text` (see the module's docstring).

    `scope=WORDS` searches the proposal's own words only (subject, number, text: the public portal);
    `committee` (a Committee or id), when every row of `qs` is of one committee, narrows the index
    scan on PostgreSQL."""
    query = query_for(text)
    if query is None:
        return qs
    if scope not in (None, WORDS, NAMES):
        raise ValueError(f"unknown search scope {scope!r}")
    if connections[qs.db].vendor == "postgresql":
        committee_id = getattr(committee, "pk", committee)
        for tsquery in query.tsqueries(scope):
            sql, params = f"SELECT proposal_id FROM {TABLE} WHERE vector @@ %s::tsquery", [tsquery]
            if committee_id is not None:
                sql += " AND committee_id = %s"
                params.append(committee_id)
            qs = qs.filter(pk__in=RawSQL(sql, params))
        return qs
    return qs.filter(pk__in=RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [query.fts5(scope)]))


# --- Writing the index --------------------------------------------------------------------------

# How `reindex` empties the table before rebuilding everything (as migration 0003 made it). SQLite: an
# FTS5 table deletes row by row, reading each document back, so it is dropped and created again;
# PostgreSQL: the GIN index is built once at the end rather than row by row.
_PG_VECTOR_INDEX = f"CREATE INDEX IF NOT EXISTS proposals_search_vector ON {TABLE} USING gin (vector)"
_EMPTY_TABLE = {
    "postgresql": [f"TRUNCATE {TABLE}", "DROP INDEX IF EXISTS proposals_search_vector"],
    "sqlite": [
        f"DROP TABLE {TABLE}",
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5(proposal_id UNINDEXED, committee_id UNINDEXED, version UNINDEXED, "
        "digest UNINDEXED, words, names, tokenize = 'ascii', columnsize = 0)",
    ],
}


def _digest(committee_id, payload: Sequence[str]) -> str:
    """The digest of a row's content: its format, committee and columns (FTS5) or parts (tsvectors)."""
    h = hashlib.blake2b(str(committee_id).encode(), digest_size=16)
    for text in payload:  # (no NUL in grams, FIELD_BREAK nor tsvector literals: the separator is unambiguous)
        h.update(b"\0" + text.encode())
    return f"{INDEX_FORMAT}:{h.hexdigest()}"


def _rows(vendor: str, docs) -> list[tuple[int, int, int, str, list[str]]]:
    """(proposal id, committee id, version, digest, payload) of documents, payload as it is written:
    the FTS5 columns (words, names) or the tsvector literals of the parts."""
    out = []
    for pid, cid, version, doc in docs:
        payload = doc.tsvectors() if vendor == "postgresql" else [doc.fts5(WORDS), doc.fts5(NAMES)]
        out.append((pid, cid, version, _digest(cid, payload), payload))
    return out


def _stored_digests(cursor, vendor: str, ids: Sequence[int]) -> dict[int, str | None]:
    """The digests of the rows of `ids` (None: a row from before migration 0005; absent: no row)."""
    if not ids:
        return {}
    if vendor == "postgresql":
        cursor.execute(f"SELECT proposal_id, digest FROM {TABLE} WHERE proposal_id = ANY(%s) AND part = 0", [list(ids)])
    else:
        cursor.execute(f"SELECT rowid, digest FROM {TABLE} WHERE rowid IN ({', '.join(['%s'] * len(ids))})", list(ids))
    return dict(cursor.fetchall())


def _changed(cursor, vendor: str, rows):
    """The rows whose stored digest differs (or that have no row)."""
    stored = _stored_digests(cursor, vendor, [pid for pid, *_rest in rows])
    return [row for row in rows if stored.get(row[0]) != row[3]]


def _write(cursor, vendor: str, rows) -> None:
    if not rows:
        return
    ids = [pid for pid, *_rest in rows]
    if vendor == "postgresql":
        cursor.execute(f"DELETE FROM {TABLE} WHERE proposal_id = ANY(%s)", [ids])  # (a document may shrink)
        cursor.executemany(
            f"INSERT INTO {TABLE} (proposal_id, part, committee_id, version, digest, vector) "
            "VALUES (%s, %s, %s, %s, %s, %s::tsvector)",
            [
                (pid, part, cid, version, digest, vector)
                for pid, cid, version, digest, vectors in rows for part, vector in enumerate(vectors)
            ],
        )
    else:  # FTS5 replaces a row with the same rowid
        cursor.executemany(
            f"INSERT OR REPLACE INTO {TABLE} (rowid, proposal_id, committee_id, version, digest, words, names) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(pid, pid, cid, version, digest, *columns) for pid, cid, version, digest, columns in rows],
        )


def index_proposals(ids: Iterable, *, using: str | None = None, batch: int = 500) -> int:
    """Write the documents of the proposals `ids` (ids or Proposal rows) that changed since they were
    written (their digest differs, or they have none), in the caller's transaction. Ids of proposals
    that do not exist are skipped. Returns how many were written."""
    from .models import Proposal

    ids = sorted({getattr(i, "pk", i) for i in ids if getattr(i, "pk", i) is not None})
    using = using or router.db_for_write(Proposal)
    vendor = connections[using].vendor
    written = 0
    with connections[using].cursor() as cursor:
        for start in range(0, len(ids), batch):
            rows = _changed(cursor, vendor, _rows(vendor, _documents(ids[start:start + batch], using)))
            _write(cursor, vendor, rows)
            written += len(rows)
    return written


def _stale_ids_sql(vendor: str, committee_id) -> tuple[str, list]:
    """The proposals whose document may be stale: no row, a row of another format (rows without a
    digest, from before migration 0005, are of format 1), or a proposal whose version moved since
    its document was written (`reindex` then compares digests)."""
    join = "s.proposal_id = p.id AND s.part = 0" if vendor == "postgresql" else "s.rowid = p.id"
    sql = (
        f"SELECT p.id FROM proposals_proposal p LEFT JOIN {TABLE} s ON {join} "
        "WHERE (s.proposal_id IS NULL OR s.version <> p.version OR COALESCE(s.digest, '1:') NOT LIKE %s)"
    )
    params = [f"{INDEX_FORMAT}:%"]
    if committee_id is not None:
        sql += " AND p.committee_id = %s"
        params.append(committee_id)
    return sql + " ORDER BY p.id", params


def _id_batches(Proposal, using: str, vendor: str, committee_id, batch: int, stale_only: bool):
    if stale_only:
        with connections[using].cursor() as cursor:
            cursor.execute(*_stale_ids_sql(vendor, committee_id))
            pending = [row[0] for row in cursor.fetchall()]
        for start in range(0, len(pending), batch):
            yield pending[start:start + batch]
        return
    ids = Proposal.objects.using(using).order_by("pk")
    if committee_id is not None:
        ids = ids.filter(committee_id=committee_id)
    last = 0
    while chunk := list(ids.filter(pk__gt=last).values_list("pk", flat=True)[:batch]):
        yield chunk
        last = chunk[-1]


def reindex(*, committee=None, batch: int = BATCH, stale_only: bool = False, using: str | None = None,
            stdout=None, models=None) -> int:
    """Rebuild the index of every proposal (of `committee`, a Committee or id, when given) in batches
    of `batch`, each in its own transaction; rows of proposals that no longer exist are removed.
    With `stale_only`, only the stale documents (see `_stale_ids_sql`): those whose digest differs are
    written, and counted.

    Everything (no committee, not stale_only) starts from an empty table: searches find fewer
    proposals until the rebuild ends (on PostgreSQL without the GIN index, which is built at the end).
    Returns the number of proposals indexed. (`models`: the (Proposal, CoSigner) classes; migrations
    pass their historical ones.)"""
    if models is None:
        from .models import CoSigner, Proposal

        models = (Proposal, CoSigner)
    using = using or router.db_for_write(models[0])
    connection = connections[using]
    vendor = connection.vendor
    committee_id = getattr(committee, "pk", committee)
    everything = committee_id is None and not stale_only
    started = time.monotonic()
    done = 0
    if everything:  # rewriting rows one by one costs far more than filling an empty table
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for sql in _EMPTY_TABLE[vendor]:
                cursor.execute(sql)
    for chunk in _id_batches(models[0], using, vendor, committee_id, max(1, int(batch)), stale_only):
        with transaction.atomic(using=using), connection.cursor() as cursor:
            rows = _rows(vendor, _documents(chunk, using, models))
            if stale_only:
                rows = _changed(cursor, vendor, rows)
            _write(cursor, vendor, rows)
        done += len(rows)
        if stdout is not None and done // 50000 != (done - len(rows)) // 50000:
            stdout.write(f"  {done} proposals indexed ({time.monotonic() - started:.0f} s)\n")
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(_PG_VECTOR_INDEX)  # after a full rebuild (or one that was interrupted)
        elif not everything:  # (PostgreSQL's foreign key deletes a proposal's rows with it)
            sql = f"DELETE FROM {TABLE} WHERE rowid NOT IN (SELECT id FROM proposals_proposal)"
            if committee_id is not None:
                sql += " AND committee_id = %s"
            cursor.execute(sql, [committee_id] if committee_id is not None else [])
    return done


# --- Renames ------------------------------------------------------------------------------------


def organisation_row_changed(obj, changes: dict) -> None:
    """Reindex the proposals whose documents name `obj` after an administration service changed it
    (settings.XIESHANG_ORGANISATION_CHANGE_HANDLERS; called inside the service's transaction)."""
    from xieshang.core.models import Member, Organization, Sector, SpecialCommittee

    from .models import CoSigner, Proposal

    if isinstance(obj, Member):
        if not {"name", "sector"} & set(changes):
            return
        ids = set(Proposal.objects.filter(lead_proposer=obj).values_list("pk", flat=True))
        ids |= set(CoSigner.objects.filter(member=obj, state=CoSigner.State.SIGNED).values_list("proposal_id", flat=True))
    elif "name" not in changes:
        return
    elif isinstance(obj, Organization):
        ids = Proposal.objects.filter(organization=obj).values_list("pk", flat=True)
    elif isinstance(obj, SpecialCommittee):
        ids = Proposal.objects.filter(special_committee=obj).values_list("pk", flat=True)
    elif isinstance(obj, Sector):
        ids = Proposal.objects.filter(sector_name="", lead_proposer__sector=obj).values_list("pk", flat=True)
    else:
        return
    index_proposals(list(ids))


__all__ = [
    "Document", "Query", "build_document", "document_for", "filter_queryset", "grams", "index_proposals",
    "normalise", "organisation_row_changed", "query_for", "reindex", "runs",
]
