"""`xieshang restore FILE [--yes]`: put back a backup made by `xieshang backup`.

Everything in the database and the media folder is replaced by the archive's content:

- First a safety backup of the current state is written (<backups>/pre-restore-*.tar.gz), unless
  --no-safety-backup.
- SQLite: the archived copy is checked (`PRAGMA integrity_check`) and copied into the live database
  file with SQLite's backup API, under SQLite's locks — processes that have the file open see the
  restored content at their next transaction, never a half-written file.
- PostgreSQL: `pg_restore --clean --if-exists` of the dump, run through `psql --single-transaction`
  together with a DROP of the tables the dump does not know (left by newer migrations): the
  database changes all at once or, on any error, not at all.
- Uploaded files: the archive's media folder takes the place of the current one (a rename).
- The row counts of every table are compared with the manifest.

Stop the task workers and the scheduler first (docs/runbook.md): a delivery that was pending when
the backup was made is pending again afterwards and goes out when a worker runs.
"""

from __future__ import annotations

import datetime
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from .backup import (
    MEDIA_MEMBER, PG_MEMBER, SQLITE_MEMBER, default_directory, engine_of, find_program, make_backup, pg_connect,
    pg_env, pg_table_counts, read_manifest, sqlite_table_counts,
)


def _extract(archive: Path, dest: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(dest, filter="data")  # no absolute paths, no '..', no devices or links out


def restore_sqlite(settings_dict: dict, copy: Path) -> dict[str, int]:
    check = sqlite3.connect(copy)
    try:
        result = check.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise CommandError(f"The database in the backup is damaged: {result}")
    finally:
        check.close()
    live_path = Path(settings_dict["NAME"])
    live_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    live = sqlite3.connect(live_path, timeout=60)
    try:
        source.backup(live)  # page by page under the live database's write lock
        live.execute("PRAGMA journal_mode=WAL")
        return sqlite_table_counts(live)
    finally:
        live.close()
        source.close()


def restore_postgresql(settings_dict: dict, dump: Path) -> dict[str, int]:
    pg_restore = find_program("pg_restore", "PG_RESTORE")
    psql = find_program("psql", "PSQL")
    env = pg_env(settings_dict)
    listing = subprocess.run([pg_restore, "--list", str(dump)], env=env, capture_output=True, text=True)
    if listing.returncode != 0:
        raise CommandError(f"pg_restore cannot read the dump: {listing.stderr.strip()}")
    in_dump = set()
    for line in listing.stdout.splitlines():
        # "215; 1259 16390 TABLE public core_event postgres" (owner may be missing with --no-owner)
        parts = line.split(";", 1)[-1].split()
        if len(parts) >= 5 and parts[2] == "TABLE":
            in_dump.add((parts[3], parts[4]))
    conn = pg_connect(settings_dict)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT schemaname, tablename FROM pg_tables "
                           "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
            extra = sorted(set(cursor.fetchall()) - in_dump)
        conn.rollback()
    finally:
        conn.close()

    def ident(name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    prologue = "".join(f"DROP TABLE IF EXISTS {ident(s)}.{ident(t)} CASCADE;\n" for s, t in extra)
    producer = subprocess.Popen(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file", "-", str(dump)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    consumer = subprocess.Popen(
        [psql, "--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction", "--file", "-"],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        consumer.stdin.write(prologue.encode())
        shutil.copyfileobj(producer.stdout, consumer.stdin, 1 << 20)
    except BrokenPipeError:
        pass  # psql stopped on an error: reported below
    finally:
        try:
            consumer.stdin.close()
        except BrokenPipeError:
            pass
        producer.stdout.close()
    producer_err = producer.stderr.read().decode(errors="replace")
    producer.wait()
    consumer_err = consumer.stderr.read().decode(errors="replace")
    consumer.wait()
    if producer.returncode != 0 or consumer.returncode != 0:
        raise CommandError(
            "The restore failed and was rolled back; the database is unchanged.\n"
            f"pg_restore: {producer_err.strip()}\npsql: {consumer_err.strip()}"
        )
    conn = pg_connect(settings_dict)
    try:
        with conn.cursor() as cursor:
            return pg_table_counts(cursor)
    finally:
        conn.close()


def restore_media(extracted: Path) -> None:
    media_root = Path(settings.MEDIA_ROOT)
    media_root.parent.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    incoming = media_root.parent / f".{media_root.name}.restoring-{stamp}"
    shutil.move(str(extracted), incoming)  # a rename when the temporary folder is on the same disk
    previous = media_root.parent / f".{media_root.name}.previous-{stamp}"
    if media_root.exists():
        media_root.rename(previous)
    incoming.rename(media_root)
    shutil.rmtree(previous, ignore_errors=True)


class Command(BaseCommand):
    help = "Restore a backup made by `xieshang backup` (replaces the database and the uploaded files)."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz written by `xieshang backup`.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument("--no-safety-backup", action="store_true",
                            help="Do not back up the current state first.")
        parser.add_argument("--database", default="default", help="The database alias (default: 'default').")

    def handle(self, *args, **options):
        archive = Path(options["archive"])
        if not archive.is_file():
            raise CommandError(f"{archive} does not exist.")
        manifest = read_manifest(archive)
        alias = options["database"]
        engine = engine_of(alias)
        if manifest["engine"] != engine:
            raise CommandError(
                f"The backup is of a {manifest['engine']} database; this installation uses {engine}. "
                "Restore it into the same kind of database."
            )
        settings_dict = connections[alias].settings_dict
        target = Path(settings_dict["NAME"]) if engine == "sqlite" else settings_dict["NAME"]
        self.stdout.write(
            f"Backup of {manifest['created_at']} (Xieshang {manifest['xieshang_version']}): {manifest['engine']} "
            f"database {manifest['database']}, {len(manifest['tables'])} tables, "
            f"{sum(manifest['tables'].values())} rows, {manifest['media']['files']} uploaded files."
        )
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("This replaces all data; confirm with --yes.")
            answer = input(f"Replace ALL data of {target} and {settings.MEDIA_ROOT} with this backup? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandError("Nothing was changed.")

        if not options["no_safety_backup"]:
            stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
            safety = default_directory() / f"pre-restore-{stamp}.tar.gz"
            try:
                make_backup(safety, alias)
            except CommandError as exc:
                if engine == "sqlite" and not Path(settings_dict["NAME"]).exists():
                    safety = None  # nothing to save yet (a new machine)
                else:
                    raise CommandError(f"The safety backup failed, nothing was changed: {exc}") from exc
            if safety:
                self.stdout.write(f"The current state was saved to {safety}")

        connections.close_all()
        with tempfile.TemporaryDirectory(prefix=".restore-", dir=Path(settings.MEDIA_ROOT).parent) as tmp:
            tmp = Path(tmp)
            _extract(archive, tmp)
            if engine == "sqlite":
                counts = restore_sqlite(settings_dict, tmp / SQLITE_MEMBER)
            else:
                counts = restore_postgresql(settings_dict, tmp / PG_MEMBER)
            media = tmp / MEDIA_MEMBER
            if not media.is_dir():
                media.mkdir()
            restore_media(media)

        # What the caches hold was derived from the replaced rows (users and roles, option lists keyed
        # on organisation versions, the calendar): none of it is true of the restored ones.
        from xieshang.core.cache import forget

        forget(everything=True)
        expected = manifest["tables"]
        wrong = {t: (expected.get(t), counts.get(t)) for t in set(expected) | set(counts) if expected.get(t) != counts.get(t)}
        if wrong:
            details = ", ".join(f"{t}: {e} expected, {c} found" for t, (e, c) in sorted(wrong.items()))
            raise CommandError(f"The restored row counts differ from the backup's: {details}")
        self.stdout.write(self.style.SUCCESS(
            f"Restored: {len(counts)} tables, {sum(counts.values())} rows (as in the manifest), "
            f"{manifest['media']['files']} uploaded files."
        ))
        self.stdout.write("If the code is newer than the backup, run `xieshang migrate` now; then start the "
                          "task workers and the scheduler again.")
