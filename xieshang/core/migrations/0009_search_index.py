"""The text search index of every kind of object, keyed by (kind, object id) (xieshang/core/search.py,
ADR 0007). It replaces the proposals' own table (proposals_search), whose rows migration
proposals 0007 moves here.

PostgreSQL: a table with a tsvector column and a GIN index (stock PostgreSQL, no extension).
SQLite: an FTS5 virtual table with the `ascii` tokenizer (FTS5 is built into SQLite 3.9+ as shipped
by Python and Debian); its rowid encodes the key: (object_id << 16) | (CRC-32 of the kind & 0xFFFF).
Django's state gets the model SearchEntry, so it knows the table. The SQL is written out here (not
read from search.py, which may change); search.py's `_EMPTY_TABLE` makes the same FTS5 table.
"""

from django.db import migrations, models

POSTGRESQL = [
    """
    CREATE TABLE core_search (
        kind varchar(40) NOT NULL,
        object_id bigint NOT NULL,
        part smallint NOT NULL DEFAULT 0,
        committee_id bigint NOT NULL,
        version integer NOT NULL DEFAULT 0,
        digest varchar(40),
        vector tsvector NOT NULL,
        PRIMARY KEY (kind, object_id, part)
    )
    """,
    "CREATE INDEX core_search_vector ON core_search USING gin (vector)",
    "CREATE INDEX core_search_committee ON core_search (committee_id, kind)",
]
SQLITE = [
    """
    CREATE VIRTUAL TABLE core_search USING fts5(
        kind UNINDEXED, object_id UNINDEXED, part UNINDEXED, committee_id UNINDEXED, version UNINDEXED,
        digest UNINDEXED, words, names, tokenize = 'ascii', columnsize = 0
    )
    """,
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        raise RuntimeError(f"the search index supports PostgreSQL and SQLite, not {vendor}")
    for sql in POSTGRESQL if vendor == "postgresql" else SQLITE:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS core_search")


class Migration(migrations.Migration):
    dependencies = [("core", "0008_duty_fact")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchEntry",
                    fields=[
                        ("pk", models.CompositePrimaryKey("kind", "object_id", "part", blank=True, editable=False,
                                                          primary_key=True, serialize=False)),
                        ("kind", models.CharField(max_length=40)),
                        ("object_id", models.BigIntegerField()),
                        ("part", models.SmallIntegerField(default=0)),
                        ("committee_id", models.BigIntegerField()),
                        ("version", models.PositiveIntegerField(default=0)),
                        ("digest", models.CharField(max_length=40, null=True)),
                    ],
                    options={
                        "verbose_name": "search index entry",
                        "verbose_name_plural": "search index entries",
                        "db_table": "core_search",
                        "default_permissions": (),
                    },
                ),
            ],
            database_operations=[migrations.RunPython(create, drop)],
        ),
    ]
