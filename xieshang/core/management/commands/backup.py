"""`xieshang backup [--output FILE] [--keep N]`: one .tar.gz with a consistent copy of the database,
the uploaded files and a manifest.

- SQLite: SQLite's online backup API copies the database page by page under its own locks, so the
  copy is consistent while the server keeps running and writing.
- PostgreSQL: `pg_dump --format=custom` (found on PATH, or the PG_DUMP environment variable) from
  an exported snapshot; the row counts of the manifest are read in that same snapshot, so they
  describe exactly what the dump holds.
- Uploaded files: the media folder, copied after the database (a file uploaded meanwhile may be in
  the archive without its row, never a row without its file unless it was deleted meanwhile).
- manifest.json: format, versions, time, engine, applied migrations, rows per table, media files.

`xieshang restore FILE` puts it back (see restore.py). The archive holds personal data and password
hashes: it is written readable by its owner only; keep it like the database itself.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA_MEMBER = "media"
# libpq connection keys that may come in DATABASES OPTIONS (e.g. ?sslmode=require in DATABASE_URL).
LIBPQ_OPTIONS = ("sslmode", "sslrootcert", "sslcert", "sslkey", "connect_timeout", "application_name",
                 "options", "target_session_attrs", "service", "passfile")


def engine_of(alias: str = "default") -> str:
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise CommandError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def find_program(name: str, env_var: str) -> str:
    path = os.environ.get(env_var) or shutil.which(name)
    if not path:
        raise CommandError(f"{name} was not found: install the PostgreSQL client (Debian: postgresql-client) "
                           f"or set {env_var} to its path.")
    return path


def pg_env(settings_dict: dict) -> dict[str, str]:
    """The environment for pg_dump/pg_restore/psql: the connection in PG* variables (no password on
    a command line, where `ps` would show it)."""
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                     ("PGDATABASE", "NAME")):
        value = settings_dict.get(key)
        if value:
            env[var] = str(value)
    options = settings_dict.get("OPTIONS") or {}
    for key in LIBPQ_OPTIONS:
        if options.get(key):
            env["PG" + {"sslmode": "SSLMODE", "sslrootcert": "SSLROOTCERT", "sslcert": "SSLCERT", "sslkey": "SSLKEY",
                        "connect_timeout": "CONNECT_TIMEOUT", "application_name": "APPNAME", "options": "OPTIONS",
                        "target_session_attrs": "TARGETSESSIONATTRS", "service": "SERVICE",
                        "passfile": "PASSFILE"}[key]] = str(options[key])
    return env


def pg_connect(settings_dict: dict):
    import psycopg

    options = settings_dict.get("OPTIONS") or {}
    params = {k: options[k] for k in LIBPQ_OPTIONS if options.get(k)}
    for param, key in (("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("password", "PASSWORD"),
                       ("dbname", "NAME")):
        if settings_dict.get(key):
            params[param] = str(settings_dict[key])
    return psycopg.connect(**params)


def pg_table_counts(cursor) -> dict[str, int]:
    from psycopg import sql

    cursor.execute(
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY schemaname, tablename"
    )
    counts = {}
    for schema, table in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}.{}").format(sql.Identifier(schema), sql.Identifier(table)))
        counts[table if schema == "public" else f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def sqlite_table_counts(conn: sqlite3.Connection) -> dict[str, int]:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _migrations(rows) -> dict[str, str]:
    """The last applied migration of each app."""
    latest: dict[str, str] = {}
    for app, name in rows:
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def dump_sqlite(settings_dict: dict, dest: Path) -> dict:
    source_path = settings_dict["NAME"]
    if not Path(source_path).exists():
        raise CommandError(f"The SQLite database {source_path} does not exist.")
    source = sqlite3.connect(source_path, timeout=30)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)  # consistent: SQLite copies under its own locks, writers wait or retry
    finally:
        source.close()
    try:
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        counts = sqlite_table_counts(target)
        migrations = _migrations(target.execute("SELECT app, name FROM django_migrations")) if "django_migrations" in counts else {}
    finally:
        target.close()
    return {"database": Path(source_path).name, "tables": counts, "migrations": migrations}


def dump_postgresql(settings_dict: dict, dest: Path) -> dict:
    pg_dump = find_program("pg_dump", "PG_DUMP")
    conn = pg_connect(settings_dict)
    conn.autocommit = True  # the transaction below is begun and ended explicitly
    try:
        with conn.cursor() as cursor:
            # One snapshot for the dump and the counts (the transaction stays open while pg_dump runs).
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            result = subprocess.run(
                [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}", "--file", str(dest)],
                env=pg_env(settings_dict), capture_output=True, text=True,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
            counts = pg_table_counts(cursor)
            migrations = {}
            if "django_migrations" in counts:
                cursor.execute("SELECT app, name FROM django_migrations")
                migrations = _migrations(cursor.fetchall())
            cursor.execute("ROLLBACK")
    finally:
        conn.close()
    return {"database": settings_dict["NAME"], "tables": counts, "migrations": migrations}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xieshang")
    except PackageNotFoundError:
        return "unknown"


def make_backup(output: Path, alias: str = "default") -> dict:
    """Write the archive to `output` (atomically: a partial file never has the final name)."""
    import django

    engine = engine_of(alias)
    settings_dict = connections[alias].settings_dict
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    created_at = datetime.datetime.now(datetime.timezone.utc)
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=output.parent) as tmp:
        tmp = Path(tmp)
        if engine == "sqlite":
            member = SQLITE_MEMBER
            info = dump_sqlite(settings_dict, tmp / member)
        else:
            member = PG_MEMBER
            info = dump_postgresql(settings_dict, tmp / member)
        media_root = Path(settings.MEDIA_ROOT)
        media_files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.is_dir() else []
        manifest = {
            "format": FORMAT,
            "xieshang_version": _version(),
            "django_version": django.get_version(),
            "created_at": created_at.isoformat(),
            "engine": engine,
            "database": info["database"],
            "database_file": member,
            "migrations": info["migrations"],
            "tables": info["tables"],
            "media": {"files": len(media_files), "bytes": sum(p.stat().st_size for p in media_files)},
        }
        partial = tmp / "archive.tar.gz"
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            entry = tarfile.TarInfo(MANIFEST)
            entry.size, entry.mtime, entry.mode = len(data), int(created_at.timestamp()), 0o600
            tar.addfile(entry, io.BytesIO(data))
            tar.add(tmp / member, arcname=member)
            folder = tarfile.TarInfo(MEDIA_MEMBER)
            folder.type, folder.mode, folder.mtime = tarfile.DIRTYPE, 0o700, int(created_at.timestamp())
            tar.addfile(folder)
            for path in sorted(media_files):
                tar.add(path, arcname=f"{MEDIA_MEMBER}/{path.relative_to(media_root).as_posix()}", recursive=False)
        os.replace(partial, output)
    return manifest


def default_directory() -> Path:
    return Path(os.environ.get("XIESHANG_BACKUP_DIR") or Path(settings.DATA_DIR) / "backups")


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.load(member)
    except (OSError, tarfile.TarError, KeyError, ValueError) as exc:
        raise CommandError(f"{path} is not a Xieshang backup: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise CommandError(f"{path} has backup format {manifest.get('format')!r}; this version reads {FORMAT}.")
    return manifest


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one .tar.gz (safe while the server runs)."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o",
                            help="The archive to write (default: $XIESHANG_BACKUP_DIR or <data>/backups, "
                                 "xieshang-YYYYmmdd-HHMMSS.tar.gz).")
        parser.add_argument("--keep", type=int, default=None,
                            help="Afterwards keep only the newest N xieshang-*.tar.gz in the archive's folder.")
        parser.add_argument("--database", default="default", help="The database alias (default: 'default').")

    def handle(self, *args, **options):
        if options["keep"] is not None and options["keep"] < 1:
            raise CommandError("--keep must be at least 1.")
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        output = Path(options["output"]) if options["output"] else default_directory() / f"xieshang-{stamp}.tar.gz"
        if output.exists():
            raise CommandError(f"{output} exists already.")
        manifest = make_backup(output, options["database"])
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Backup written to {output} ({output.stat().st_size / 1e6:.1f} MB): {manifest['engine']} database "
            f"{manifest['database']}, {len(manifest['tables'])} tables, {rows} rows, "
            f"{manifest['media']['files']} uploaded files."
        )
        if options["keep"]:
            archives = sorted(output.parent.glob("xieshang-*.tar.gz"), key=lambda p: p.stat().st_mtime, reverse=True)
            for old in archives[options["keep"]:]:
                old.unlink()
                self.stdout.write(f"Removed old backup {old}")
