"""The bigram search index of proposals (xieshang/proposals/search.py, ADR 0007).

PostgreSQL: a table with a tsvector column and a GIN index (stock PostgreSQL, no extension).
SQLite: an FTS5 virtual table with the `ascii` tokenizer (FTS5 is built into SQLite 3.9+ as shipped
by Python and Debian). Django's state gets the model SearchDocument, so it knows the table.
The index of the proposals already there is built by migration 0007 (in core's table, where it moved).
The tables have the column `digest` of migration 0005 from the start (the index is built with
today's search.py, which writes it); 0005 adds it to tables made before it was there.
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL = [
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
SQLITE = [
    """
    CREATE VIRTUAL TABLE proposals_search USING fts5(
        proposal_id UNINDEXED, committee_id UNINDEXED, version UNINDEXED, digest UNINDEXED, words, names,
        tokenize = 'ascii', columnsize = 0
    )
    """,
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"the proposals' search index supports PostgreSQL and SQLite, not {vendor}")
    for sql in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql)
    # The documents of the proposals already there are built by migration 0007, once the index has
    # moved to core (core_search): today's search code writes there.


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS proposals_search")


class Migration(migrations.Migration):

    dependencies = [
        ("proposals", "0002_bench_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchDocument",
                    fields=[
                        ("proposal", models.OneToOneField(
                            db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True,
                            related_name="+", serialize=False, to="proposals.proposal")),
                        ("committee_id", models.BigIntegerField()),
                        ("version", models.PositiveIntegerField()),
                    ],
                    options={
                        "verbose_name": "search index entry",
                        "verbose_name_plural": "search index entries",
                        "db_table": "proposals_search",
                        "default_permissions": (),
                    },
                ),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
