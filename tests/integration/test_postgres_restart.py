"""PostgreSQL restarted under a burst of writes over HTTP.

Every write that got a 2xx answer is in the database afterwards, none twice, and both web
processes recover without being restarted (persistent connections with health checks).

This test restarts the PostgreSQL server of this machine: it runs only with XIESHANG_INTEGRATION=1,
when that server is local (pg_ctlcluster can restart it), and — outside CI — only when no other
program is using the server (the main test suites must not run beside it).
"""

import os
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from .conftest import ENABLED, PG_HOST, Http, api_token, pg_admin, requires_integration, wait_for

BURST_SECONDS = 20
MAX_REQUESTS_PER_THREAD = 1500
THREADS = 4


def _local_cluster() -> str | None:
    """The version of the local PostgreSQL cluster pg_ctlcluster manages, or None."""
    conf = Path("/etc/postgresql")
    if PG_HOST not in ("127.0.0.1", "localhost") or not conf.is_dir() or not shutil.which("pg_ctlcluster"):
        return None
    versions = sorted(p.name for p in conf.iterdir() if (p / "main").is_dir())
    return versions[0] if versions else None


pytestmark = [
    pytest.mark.integration,
    requires_integration,
    pytest.mark.skipif(ENABLED and _local_cluster() is None, reason="needs the local PostgreSQL cluster (pg_ctlcluster)"),
]


def _others_connected(own_db: str) -> list:
    with pg_admin() as conn:
        return conn.execute(
            "SELECT datname, application_name FROM pg_stat_activity WHERE backend_type = 'client backend' "
            "AND pid <> pg_backend_pid() AND coalesce(datname, '') NOT IN (%s, 'postgres')", (own_db,)
        ).fetchall()


def _restart_postgres(version: str) -> None:
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
                   check=True, capture_output=True, timeout=120)


def test_writes_survive_a_postgres_restart(cluster):
    version = _local_cluster()
    if os.environ.get("CI", "").lower() != "true":
        others = _others_connected(cluster.db_name)
        if others:
            pytest.skip(f"the PostgreSQL server is in use by others ({len(others)} connections to "
                        f"{sorted({d for d, _ in others})}); not restarting it")
    a, b = cluster.urls["A"], cluster.urls["B"]
    token = api_token(a, "member")
    auth = {"Authorization": f"Bearer {token}"}
    server_pids = {name: proc.pid for name, proc in cluster.servers.items()}
    started_before = cluster.sql("SELECT pg_postmaster_start_time()")[0][0]

    run = uuid.uuid4().hex[:8]
    outcomes: dict[str, int | None] = {}
    lock = threading.Lock()
    stop_at = time.monotonic() + BURST_SECONDS

    def writer(n: int) -> None:
        client = Http()
        for i in range(MAX_REQUESTS_PER_THREAD):
            if time.monotonic() > stop_at:
                return
            key = f"burst-{run}-{n}-{i}"
            base = a if i % 2 == 0 else b
            status, _, _ = client.post(base + "/api/v1/proposals", headers=auth, timeout=20,
                                       body={"title": f"Burst {key}", "client_key": key})
            with lock:
                outcomes[key] = status
            if status is None or status >= 500:
                time.sleep(0.05)  # the database is away; do not spin

    threads = [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(THREADS)]
    for t in threads:
        t.start()
    time.sleep(BURST_SECONDS / 4)
    _restart_postgres(version)
    for t in threads:
        t.join(timeout=BURST_SECONDS + 60)
    assert not any(t.is_alive() for t in threads)

    # Both servers answer writes again, without having been restarted.
    for name, base in (("A", a), ("B", b)):
        def recovered(base=base, name=name):
            key = f"after-{run}-{name}-{uuid.uuid4().hex[:6]}"
            status, _, _ = Http().post(base + "/api/v1/proposals", headers=auth, timeout=10,
                                       body={"title": f"After {key}", "client_key": key})
            if status == 201:
                outcomes[key] = status
                return True
            return False

        wait_for(recovered, 30, 0.5, f"server {name} to answer writes again")
    assert {name: proc.pid for name, proc in cluster.servers.items()} == server_pids
    assert all(proc.poll() is None for proc in cluster.servers.values())
    assert cluster.sql("SELECT pg_postmaster_start_time()")[0][0] > started_before, "PostgreSQL was not restarted"

    ok = {key for key, status in outcomes.items() if status is not None and 200 <= status < 300}
    failed = {key for key, status in outcomes.items() if key not in ok}
    print(f"{len(outcomes)} writes: {len(ok)} answered 2xx, {len(failed)} failed while the database was away")
    assert len(ok) > 50 and failed, "the burst did not straddle the restart"
    rows = cluster.sql(
        "SELECT client_key, count(*) FROM proposals_proposal WHERE client_key LIKE %s OR client_key LIKE %s "
        "GROUP BY client_key", (f"burst-{run}-%", f"after-{run}-%"))
    stored = dict(rows)
    assert ok <= set(stored), f"{len(ok - set(stored))} acknowledged writes are missing"
    assert set(stored.values()) == {1}
    assert set(stored) <= set(outcomes)
    # One creation event per stored proposal (nothing was applied twice).
    events = cluster.sql(
        "SELECT e.object_id, count(*) FROM core_event e JOIN proposals_proposal p ON e.object_id = p.id::text "
        "WHERE e.action = 'proposal.create' AND (p.client_key LIKE %s OR p.client_key LIKE %s) "
        "AND e.content_type_id = (SELECT id FROM django_content_type WHERE app_label = 'proposals' AND model = 'proposal') "
        "GROUP BY e.object_id", (f"burst-{run}-%", f"after-{run}-%"))
    assert len(events) == len(stored) and {n for _, n in events} == {1}
