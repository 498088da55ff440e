"""Database triggers that refuse UPDATE and DELETE on the audit table, on SQLite and PostgreSQL.

The only way past them is a purge switch that the application never turns on: the test suite
turns it on to empty its databases between tests (`xieshang.core.audit.allow_purge`). UPDATE is
refused always. On SQLite the switch is a function registered on each connection by the app; a
connection without it (the sqlite3 shell) cannot delete events either.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE TRIGGER core_event_no_update BEFORE UPDATE ON core_event "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    "CREATE TRIGGER core_event_no_delete BEFORE DELETE ON core_event WHEN xieshang_audit_purge_allowed() = 0 "
    "BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS core_event_no_update;", "DROP TRIGGER IF EXISTS core_event_no_delete;"]
PG_UP = [
    """CREATE OR REPLACE FUNCTION core_event_append_only() RETURNS trigger AS $$
    BEGIN
      IF TG_OP <> 'UPDATE' AND coalesce(current_setting('xieshang.allow_audit_purge', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NULL;
      END IF;
      RAISE EXCEPTION 'audit events are append-only';
    END; $$ LANGUAGE plpgsql;""",
    "CREATE TRIGGER core_event_no_update BEFORE UPDATE OR DELETE ON core_event FOR EACH ROW EXECUTE FUNCTION core_event_append_only();",
    "CREATE TRIGGER core_event_no_truncate BEFORE TRUNCATE ON core_event FOR EACH STATEMENT EXECUTE FUNCTION core_event_append_only();",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS core_event_no_update ON core_event;",
    "DROP TRIGGER IF EXISTS core_event_no_truncate ON core_event;",
    "DROP FUNCTION IF EXISTS core_event_append_only();",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_UP, "postgresql": PG_UP}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
