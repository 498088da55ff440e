"""`xieshang serve` (what `make serve` runs): migrate, collect static files, then gunicorn, a task
worker and the scheduler under one supervisor that restarts a child that dies and stops them
all on Ctrl+C. Run here on SQLite without Redis, the embedded production mode."""

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, Http, free_port, requires_integration, wait_for

pytestmark = [pytest.mark.integration, requires_integration]


def _children(pid: int) -> set[int]:
    """Every descendant of a process (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")


def test_serve_runs_the_site_restarts_a_dead_child_and_stops_cleanly(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("XIESHANG_", "PYTEST_")) and k not in ("DATABASE_URL", "REDIS_URL", "DEBUG")}
    env.update({"XIESHANG_DATA_DIR": str(tmp_path / "data"), "XIESHANG_HTTPS": "false", "DEBUG": "false",
                "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2", "PYTHONUNBUFFERED": "1"})
    log_path = tmp_path / "serve.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "xieshang", "serve"], cwd=ROOT, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def log_text():
        return log_path.read_text(errors="replace")

    try:
        def site_up():
            if proc.poll() is not None:
                pytest.fail("xieshang serve exited:\n" + log_text())
            return Http().get(base + "/login/", timeout=2)[0] == 200

        wait_for(site_up, 180, 0.5, "the site")

        # Static files: hashed names, compressed, cached for a long time.
        status, page, _ = Http().get(base + "/login/")
        css = re.search(r'/static/xieshang/app\.[0-9a-f]{12}\.css', page)
        assert css, "the page does not use the collected, hashed static files"
        status, _, headers = Http().get(base + css.group(0), headers={"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]

        wait_for(lambda: "core.recover_deliveries: done" in log_text(), 90, 0.5, "the scheduler's first run")
        children = {pid: _cmdline(pid) for pid in _children(proc.pid)}
        kinds = " ".join(children.values())
        assert "gunicorn" in kinds and " worker " in kinds and " scheduler" in kinds, children

        # A child that dies is started again.
        (scheduler_pid,) = [pid for pid, cmd in children.items() if cmd.rstrip().endswith("scheduler")]
        os.kill(scheduler_pid, signal.SIGKILL)
        # a new scheduler (another pid: the killed one can still be listed for a moment while it dies)
        wait_for(lambda: any(pid != scheduler_pid and _cmdline(pid).rstrip().endswith("scheduler")
                             for pid in _children(proc.pid)), 30, 0.2, "the scheduler to be started again")
        wait_for(lambda: "scheduler exited" in log_text(), 10, 0.2, "the note that the scheduler exited")
        assert Http().get(base + "/login/")[0] == 200

        everything = _children(proc.pid)
        proc.send_signal(signal.SIGINT)  # Ctrl+C
        assert proc.wait(timeout=90) == 0, log_text()
        wait_for(lambda: not any(_alive(pid) for pid in everything), 10, 0.2, "every child to exit")
        assert "== stopped" in log_text()
    finally:
        if proc.poll() is None:  # the test failed half-way: leave nothing running
            for pid in _children(proc.pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            proc.kill()
            proc.wait(timeout=10)
