"""Running code in several threads at the same moment, for the concurrency tests of every app.

Threads need real concurrent connections with row locks: such tests run on PostgreSQL
(DATABASE_URL=postgres://…) and skip on the test suite's in-memory SQLite (`postgres_only`).
"""

import threading

import pytest
from django.db import close_old_connections, connection

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")


def run_together(n, target, timeout=60):
    """Run target(i) in n threads that start at the same moment; return their results or exceptions."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = target(i)
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results
