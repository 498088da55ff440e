"""The proposals' search index moves to core's index of every kind (core_search, migration core 0009;
xieshang/core/search.py, ADR 0007): its rows are copied there as kind "proposal", with their
version and digest (documents and digests are unchanged: nothing becomes stale), and
proposals_search is dropped.

SQLite: the FTS5 rows are copied in SQL with their new rowid, (proposal id << 16) | the kind's code
(FTS5 indexes them again as it goes: about as long as `search_reindex`, ~1 min per 100,000
proposals). PostgreSQL: the rows are copied as they are, the GIN index built once afterwards.
Then the documents of proposals that had none (a database whose index was never built) are written.
Backwards: the rows of kind "proposal" go back into a proposals_search table as migration 0005 left it.
"""

import zlib

from django.db import migrations

KIND = "proposal"
CODE = zlib.crc32(KIND.encode()) & 0xFFFF  # as xieshang.core.search.kind_code (frozen here)

PG_OLD_TABLE = [
    """
    CREATE TABLE proposals_search (
        proposal_id bigint NOT NULL REFERENCES proposals_proposal (id) ON DELETE CASCADE,
        part smallint NOT NULL DEFAULT 0,
        committee_id bigint NOT NULL,
        version integer NOT NULL,
        digest varchar(40),
        vector tsvector NOT NULL,
        PRIMARY KEY (proposal_id, part)
    )
    """,
    "CREATE INDEX proposals_search_vector ON proposals_search USING gin (vector)",
    "CREATE INDEX proposals_search_committee ON proposals_search (committee_id)",
]
SQLITE_OLD_TABLE = (
    "CREATE VIRTUAL TABLE proposals_search USING fts5(proposal_id UNINDEXED, committee_id UNINDEXED, "
    "version UNINDEXED, digest UNINDEXED, words, names, tokenize = 'ascii', columnsize = 0)"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS core_search_vector")
        schema_editor.execute(
            "INSERT INTO core_search (kind, object_id, part, committee_id, version, digest, vector) "
            "SELECT %s, proposal_id, part, committee_id, version, digest, vector FROM proposals_search",
            [KIND],
        )
        schema_editor.execute("CREATE INDEX core_search_vector ON core_search USING gin (vector)")
    else:
        schema_editor.execute(
            "INSERT INTO core_search (rowid, kind, object_id, part, committee_id, version, digest, words, names) "
            "SELECT (rowid << 16) | %s, %s, rowid, 0, committee_id, version, digest, words, names FROM proposals_search",
            [CODE, KIND],
        )
    schema_editor.execute("DROP TABLE proposals_search")
    alias = schema_editor.connection.alias
    Proposal = apps.get_model("proposals", "Proposal")
    if Proposal.objects.using(alias).exists():
        from xieshang.core import search
        from xieshang.proposals.search import documents

        models = (Proposal, apps.get_model("proposals", "CoSigner"))
        search.reindex(kind=KIND, stale_only=True, using=alias, model=Proposal,
                       builder=lambda ids: documents(ids, using=alias, models=models))


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_OLD_TABLE:
            schema_editor.execute(sql)
        schema_editor.execute(
            "INSERT INTO proposals_search (proposal_id, part, committee_id, version, digest, vector) "
            "SELECT s.object_id, s.part, s.committee_id, s.version, s.digest, s.vector FROM core_search s "
            "WHERE s.kind = %s AND s.object_id IN (SELECT id FROM proposals_proposal)",
            [KIND],
        )
        schema_editor.execute("DELETE FROM core_search WHERE kind = %s", [KIND])
    else:
        schema_editor.execute(SQLITE_OLD_TABLE)
        schema_editor.execute(
            "INSERT INTO proposals_search (rowid, proposal_id, committee_id, version, digest, words, names) "
            "SELECT object_id, object_id, committee_id, version, digest, words, names FROM core_search "
            "WHERE (rowid & 65535) = %s AND kind = %s",
            [CODE, KIND],
        )
        schema_editor.execute("DELETE FROM core_search WHERE (rowid & 65535) = %s AND kind = %s", [CODE, KIND])


class Migration(migrations.Migration):
    dependencies = [("core", "0009_search_index"), ("proposals", "0006_deadlines")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SearchDocument")],
            database_operations=[migrations.RunPython(forwards, backwards)],
        ),
    ]
