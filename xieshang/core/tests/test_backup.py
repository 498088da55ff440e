"""`xieshang backup` and `xieshang restore`, run as commands against their own database.

The round trips run in child processes on a database of their own: on SQLite (a temporary data
folder) in the SQLite run of the suite, on a scratch PostgreSQL database (created and dropped
here) in the PostgreSQL run. A writer keeps writing while the backup is made: the copy must be
consistent (each of its transactions wholly in or wholly out).
"""

import io
import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

ROOT = Path(__file__).resolve().parents[3]
SUITE_ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"

# Two committees per transaction, for a bounded time: a consistent copy holds an even number.
WRITER = """
import time
from django.db import transaction
from xieshang.core.models import Committee
deadline = time.monotonic() + {seconds}
i = 0
while time.monotonic() < deadline and i < 5000:
    with transaction.atomic():
        Committee.objects.create(code=f"w{{i}}a", name="writer", level="county")
        Committee.objects.create(code=f"w{{i}}b", name="writer", level="county")
    i += 1
print(i)
"""

SETUP = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from xieshang.core import audit
from xieshang.core.models import Committee
c = Committee.objects.create(code="kept", name="保留的政协", level="county")
audit.record(actor=None, action="test.kept", obj=c)
default_storage.save("attachments/2026/03/letter.txt", ContentFile("回复函".encode()))
"""

CHANGE = """
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from xieshang.core import audit
from xieshang.core.models import Committee
c = Committee.objects.create(code="later", name="后来的", level="county")
audit.record(actor=None, action="test.later", obj=c)
Committee.objects.filter(code="kept").update(name="changed")
default_storage.delete("attachments/2026/03/letter.txt")
default_storage.save("attachments/2026/03/new.txt", ContentFile(b"new"))
"""

CHECK = """
import json
from xieshang.core.models import Committee, Event
print(json.dumps({
    "committees": sorted(Committee.objects.exclude(name="writer").values_list("code", "name")),
    "events": sorted(Event.objects.values_list("action", flat=True)),
    "max_id": max(Committee.objects.values_list("id", flat=True)),
}))
"""


class Installation:
    def __init__(self, data_dir: Path, database_url: str | None = None):
        self.data_dir = data_dir
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        self.env.update({"XIESHANG_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "xieshang.settings"})
        if database_url:
            self.env["DATABASE_URL"] = database_url

    def run(self, *args, check=True, timeout=300):
        result = subprocess.run([sys.executable, "-m", "xieshang", *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if check:
            assert result.returncode == 0, f"xieshang {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result

    def shell(self, code: str) -> str:
        return self.run("shell", "--no-imports", "-c", code).stdout

    def writer(self, seconds: float) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "xieshang", "shell", "--no-imports", "-c",
                                 WRITER.format(seconds=seconds)], cwd=ROOT, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    @property
    def media(self) -> Path:
        return self.data_dir / "media"


def _manifest(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def round_trip(site: Installation, tmp_path: Path, engine: str) -> None:
    site.run("migrate", "--noinput")
    before = json.loads(site.shell(SETUP + CHECK))

    # The backup is made while another process writes.
    writer = site.writer(seconds=4)
    time.sleep(1.5)
    archive = tmp_path / "backup.tar.gz"
    out = site.run("backup", "--output", str(archive)).stdout
    written = writer.communicate(timeout=120)
    assert writer.returncode == 0, written[1]
    assert "Backup written to" in out
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    manifest = _manifest(archive)
    assert manifest["engine"] == engine and manifest["format"] == 1
    assert manifest["migrations"]["core"] >= "0004_jobrun"
    assert manifest["media"]["files"] == 1
    tables = manifest["tables"]
    assert tables["core_committee"] % 2 == 1  # "kept" + whole pairs of the writer: a consistent copy
    assert tables["core_committee"] > 1, "the writer had not written before the backup; the test proved nothing"
    assert tables["core_event"] == 1

    assert json.loads(site.shell(CHANGE + CHECK)) != before

    result = site.run("restore", str(archive), check=False)  # no --yes, no terminal: refused, nothing changed
    assert result.returncode != 0 and "--yes" in result.stderr
    assert (site.media / "attachments/2026/03/new.txt").exists()

    out = site.run("restore", str(archive), "--yes").stdout
    assert "Restored:" in out
    after = json.loads(site.shell(CHECK))
    before_ids = [after.pop("max_id")]
    assert after == {k: v for k, v in before.items() if k != "max_id"}
    assert (site.media / "attachments/2026/03/letter.txt").read_text() == "回复函"
    assert not (site.media / "attachments/2026/03/new.txt").exists()
    # The state before the restore was saved first, and the restored database keeps working.
    (safety,) = (site.data_dir / "backups").glob("pre-restore-*.tar.gz")
    assert _manifest(safety)["tables"]["core_event"] == 2
    site.run("migrate", "--check")
    # New rows can be written (sequences restored), and the audit table is still append-only.
    result = site.run("shell", "--no-imports", "-c",
                      "from xieshang.core.models import Committee, Event\n"
                      "print(Committee.objects.create(code='after', name='a', level='county').pk)\n"
                      "Event.objects.all()._raw_delete('default')", check=False)
    assert result.returncode != 0 and "append-only" in result.stderr
    assert int(result.stdout.strip()) > max(before_ids)


@pytest.mark.long
@pytest.mark.skipif(SUITE_ON_POSTGRES, reason="the SQLite round trip runs in the SQLite run of the suite")
def test_sqlite_backup_and_restore(tmp_path):
    site = Installation(tmp_path / "data")
    round_trip(site, tmp_path, "sqlite")
    copy = tmp_path / "copy"
    copy.mkdir()
    with tarfile.open(tmp_path / "backup.tar.gz") as tar:
        tar.extract("database.sqlite3", copy, filter="data")
    import sqlite3

    with sqlite3.connect(copy / "database.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file


@pytest.fixture
def scratch_postgres():
    import psycopg

    params = settings.DATABASES["default"]
    name = f"xieshang_backup_test_{os.getpid()}"
    admin = psycopg.connect(host=params["HOST"] or "127.0.0.1", port=params["PORT"] or 5432, user=params["USER"],
                            password=params["PASSWORD"] or None, dbname="postgres", autocommit=True)
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    user = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    try:
        yield f"postgres://{user}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.mark.skipif(not SUITE_ON_POSTGRES, reason="the PostgreSQL round trip runs in the PostgreSQL run of the suite")
def test_postgresql_backup_and_restore(tmp_path, scratch_postgres):
    site = Installation(tmp_path / "data", scratch_postgres)
    round_trip(site, tmp_path, "postgresql")
    # A table the backup does not know (a newer migration's) is dropped by the restore.
    site.shell("from django.db import connection; connection.cursor().execute('CREATE TABLE core_newer (id int)')")
    site.run("restore", str(tmp_path / "backup.tar.gz"), "--yes", "--no-safety-backup")
    assert "core_newer" not in site.shell(
        "from django.db import connection; print(connection.introspection.table_names())")


# --- Refusals (in-process: they stop before touching anything) --------------------------------------


def _archive(path: Path, manifest: dict) -> Path:
    data = json.dumps(manifest).encode()
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.django_db
def test_restore_refuses_a_backup_of_the_other_engine(tmp_path):
    from django.db import connection

    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"
    archive = _archive(tmp_path / "b.tar.gz", {"format": 1, "engine": other, "tables": {}, "media": {"files": 0}})
    with pytest.raises(CommandError, match=f"backup is of a {other} database"):
        call_command("restore", str(archive), "--yes")


@pytest.mark.django_db
def test_restore_refuses_what_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tar file")
    with pytest.raises(CommandError, match="not a Xieshang backup"):
        call_command("restore", str(junk), "--yes")
    newer = _archive(tmp_path / "newer.tar.gz", {"format": 99, "engine": "sqlite"})
    with pytest.raises(CommandError, match="format 99"):
        call_command("restore", str(newer), "--yes")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), "--yes")


def test_backup_refuses_to_overwrite(tmp_path):
    existing = tmp_path / "b.tar.gz"
    existing.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", "--output", str(existing))
    assert existing.read_bytes() == b"keep me"
