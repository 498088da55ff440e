"""The search index's `digest` (xieshang/proposals/search.py, ADR 0007): a write that changes nothing
indexed leaves the proposal's document alone.

PostgreSQL: a nullable column, added at once. SQLite: an FTS5 table cannot gain a column; it is made
again with `digest` and the rows are copied over in SQL (the index is rebuilt by FTS5 as it goes: about
as long as `search_reindex`, ~1 min per 100,000 proposals). The rows keep no digest (null): they count
as written at index format 1, are rewritten at the next change of their proposal and are left alone
by `search_reindex --stale` while their version is their proposal's. Tables made by migration 0003
after the column existed already have it: nothing to do.
"""

from django.db import migrations, models

FTS5 = (
    "CREATE VIRTUAL TABLE proposals_search USING fts5(proposal_id UNINDEXED, committee_id UNINDEXED, "
    "version UNINDEXED, {digest}words, names, tokenize = 'ascii', columnsize = 0)"
)


def _columns(schema_editor) -> set[str]:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("PRAGMA table_info(proposals_search)")
        return {row[1] for row in cursor.fetchall()}


def _sqlite_copy(schema_editor, with_digest: bool) -> None:
    old = "proposals_search_before_0005"
    schema_editor.execute(f"ALTER TABLE proposals_search RENAME TO {old}")
    schema_editor.execute(FTS5.format(digest="digest UNINDEXED, " if with_digest else ""))
    schema_editor.execute(
        "INSERT INTO proposals_search (rowid, proposal_id, committee_id, version, words, names) "
        f"SELECT rowid, proposal_id, committee_id, version, words, names FROM {old}"
    )
    schema_editor.execute(f"DROP TABLE {old}")


def add_digest(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE proposals_search ADD COLUMN IF NOT EXISTS digest varchar(40)")
    elif "digest" not in _columns(schema_editor):
        _sqlite_copy(schema_editor, with_digest=True)


def drop_digest(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE proposals_search DROP COLUMN IF EXISTS digest")
    elif "digest" in _columns(schema_editor):
        _sqlite_copy(schema_editor, with_digest=False)


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0004_proposal_visibility_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="searchdocument",
                    name="digest",
                    field=models.CharField(max_length=40, null=True),
                ),
            ],
            database_operations=[migrations.RunPython(add_digest, drop_digest)],
        ),
    ]
