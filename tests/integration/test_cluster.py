"""Several web processes, Redis and the task worker, as in production."""

import collections
import json
import signal
import time
import uuid

import pytest

from .conftest import REDIS_URL, Http, api_token, requires_integration, wait_for

pytestmark = [pytest.mark.integration, requires_integration]


def test_a_session_started_on_one_process_works_on_the_other(cluster):
    import redis

    a, b = cluster.urls["A"], cluster.urls["B"]
    browser = Http()
    status, text, headers = browser.sign_in(a, "member")
    assert status == 302, text[:500]

    status, text, _ = browser.get(b + "/")
    assert status == 200, f"B did not accept A's session: {status}"
    assert 'action="/logout/"' in text or "/logout/" in text
    assert browser.get(b + "/inbox/")[0] == 200
    # The session is cached in Redis (sessions: cached_db), and a stranger is sent to sign in.
    keys = redis.Redis.from_url(REDIS_URL).keys("*cached_db*")
    assert keys, "no session in Redis"
    status, _, headers = Http().get(b + "/")
    assert status == 302 and "/login/" in headers["Location"]

    # Signing out on B ends the session on A too.
    status, _, _ = browser.post(b + "/logout/", form={"csrfmiddlewaretoken": browser.csrf()})
    assert status == 302
    status, _, headers = browser.get(a + "/")
    assert status == 302 and "/login/" in headers["Location"]


def test_a_role_revoked_through_another_process_is_gone_on_every_process_at_once(cluster):
    """The signed-in user and their roles are kept in Redis (ADR 0009); a service run in another process
    forgets them there, so neither web process serves the old roles, and no one waits for the expiry."""
    a, b = cluster.urls["A"], cluster.urls["B"]
    browser = Http()
    assert browser.sign_in(a, "staff")[0] == 302
    assert browser.get(b + "/proposals/review/")[0] == 200  # the staff role, now cached
    change = (
        "from xieshang.core import services\n"
        "from xieshang.core.models import Role, RoleAssignment, User\n"
        "staff = User.objects.get(username='staff')\n"
        "row = RoleAssignment.objects.filter(user=staff, role=Role.STAFF).first()\n"
        "admin_row = RoleAssignment.objects.filter(role=Role.ADMIN).exclude(user=staff).first()\n"
        "committee, admin = admin_row.committee, admin_row.user\n"
        "if {revoke}:\n"
        "    services.role_revoke(actor=admin, committee=committee, assignment=row)\n"
        "else:\n"
        "    services.role_grant(actor=admin, committee=committee, user=staff, role=Role.STAFF)\n"
    )
    cluster.shell(change.format(revoke=True))
    try:
        assert browser.get(b + "/proposals/review/")[0] == 404
        assert browser.get(a + "/proposals/review/")[0] == 404
    finally:
        cluster.shell(change.format(revoke=False))
    assert browser.get(a + "/proposals/review/")[0] == 200


def test_the_site_keeps_working_when_redis_is_unreachable(cluster):
    # A third web process whose Redis is unreachable: sessions come from the database alone.
    c = cluster.start_server("C", env={"REDIS_URL": "redis://127.0.0.1:9/0"})
    try:
        browser = Http()
        assert browser.sign_in(c, "staff")[0] == 302
        assert browser.get(c + "/")[0] == 200
        assert browser.get(c + "/inbox/")[0] == 200
        # A session started on A (Redis and database) is valid on C too.
        other = Http()
        assert other.sign_in(cluster.urls["A"], "member")[0] == 302
        assert other.get(c + "/")[0] == 200
        assert "Redis cache unavailable" in cluster.log("web-C")
        assert "Traceback" not in cluster.log("web-C")
    finally:
        cluster.stop(cluster.servers.pop("C"))
        cluster.urls.pop("C")


def test_a_notification_made_through_process_a_is_delivered_once_by_the_worker(cluster):
    a, b = cluster.urls["A"], cluster.urls["B"]
    member, staff = api_token(a, "member"), api_token(b, "staff")
    title = f"Integration probe {uuid.uuid4().hex[:8]}"
    auth = {"Authorization": f"Bearer {member}"}
    status, text, _ = Http().post(a + "/api/v1/proposals", headers=auth,
                                  body={"title": title, "body": "A proposal made by the integration test.",
                                        "client_key": uuid.uuid4().hex})
    assert status == 201, text
    pk = json.loads(text)["id"]
    status, text, _ = Http().post(f"{a}/api/v1/proposals/{pk}/actions/submit", headers=auth, body={})
    assert status == 200, text
    # Staff return it through process A: the proposer is told (in-app and by e-mail).
    status, text, _ = Http().post(f"{a}/api/v1/proposals/{pk}/actions/return_for_revision",
                                  headers={"Authorization": f"Bearer {staff}"}, body={"reason": "Please add figures."})
    assert status == 200, text
    rows = cluster.sql(
        "SELECT d.id FROM core_delivery d JOIN core_notification n ON n.id = d.notification_id "
        "JOIN core_user u ON u.id = n.recipient_id WHERE u.username = 'member' AND n.kind = 'proposal.returned' "
        "AND n.url LIKE %s", (f"%/{pk}/%",))
    assert len(rows) == 1, rows
    (delivery_id,) = rows[0]

    worker = cluster.start_worker("worker-notify")
    try:
        wait_for(lambda: cluster.sql("SELECT status FROM core_delivery WHERE id = %s", (delivery_id,))[0][0] == "sent",
                 60, 0.2, "the delivery to be sent")
        time.sleep(1.5)  # a second send, if there were one, would have happened by now
    finally:
        cluster.stop(worker)
    assert cluster.sql("SELECT attempts, status FROM core_delivery WHERE id = %s", (delivery_id,)) == [(1, "sent")]
    # The file-based mail backend writes the messages of each connection into one file, separated by
    # a line of dashes; the proposer's address is on the To: line of this one message only.
    messages = [m for p in cluster.mail_dir.glob("*.log") for m in p.read_text(errors="replace").split("-" * 79)]
    assert sum("To: member@example.org" in m for m in messages) == 1


def test_every_notification_is_delivered_once_when_the_worker_is_killed(cluster):
    count = 120
    prefix = f"kill-{uuid.uuid4().hex[:8]}"
    cluster.shell(
        "from django.db import transaction\n"
        "from xieshang.core.models import User\n"
        "from xieshang.core.services import notify\n"
        "user = User.objects.get(username='member')\n"
        "with transaction.atomic():\n"
        f"    for i in range({count}):\n"
        f"        notify(recipients=[user], kind='it.kill', title='{prefix}-%03d' % i, channels=('sms',))\n"
    )

    def sent() -> int:
        return cluster.sql(
            "SELECT count(*) FROM core_delivery d JOIN core_notification n ON n.id = d.notification_id "
            "WHERE n.title LIKE %s AND d.status = 'sent'", (prefix + "-%",))[0][0]

    assert sent() == 0
    worker = cluster.start_worker("worker-killed")
    wait_for(lambda: sent() >= 10, 60, 0.02, "the first deliveries")
    worker.send_signal(signal.SIGKILL)  # no chance to finish the task in hand
    worker.wait(timeout=10)
    left = count - sent()
    assert left > 0, "the worker finished everything before it was killed; the test proved nothing"
    stuck = cluster.sql("SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'RUNNING'")[0][0]
    print(f"killed with {left} of {count} deliveries left, {stuck} task(s) left running")

    # One staleness for every process, as a deployment sets it: the delivery the killed run had claimed
    # ("sending") may be taken again at once. With the default (600 s) only the recovery job would see it
    # as stale, and the restarted worker would skip it until its claim is ten minutes old — whenever the
    # kill lands between the claim and "sent".
    quick = {"XIESHANG_TASK_STALE_SECONDS": "0", "XIESHANG_REDELIVER_AFTER_SECONDS": "0"}
    replacement = cluster.start_worker("worker-restarted", env=quick)
    try:
        # The restarted worker runs what was queued; the task the killed worker held stays "running"
        # until the scheduler's recovery job marks it lost and queues its notification again.
        wait_for(lambda: cluster.sql(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'")[0][0] == 0,
            60, 0.2, "the queue to drain")
        out = cluster.xieshang("scheduler", "--once", "--job", "core.recover_deliveries", env=quick)
        assert "core.recover_deliveries: done" in out
        wait_for(lambda: sent() == count, 60, 0.2, f"all {count} deliveries")
        time.sleep(1.5)
    finally:
        cluster.stop(replacement)

    statuses = cluster.sql(
        "SELECT d.status, count(*) FROM core_delivery d JOIN core_notification n ON n.id = d.notification_id "
        "WHERE n.title LIKE %s GROUP BY d.status", (prefix + "-%",))
    assert statuses == [("sent", count)]
    texts = collections.Counter(line["text"].split()[0] for line in cluster.sms_lines()
                                if line["text"].startswith(prefix))
    assert len(texts) == count, f"{count - len(texts)} messages never reached the SMS file"
    assert set(texts.values()) == {1}, {t: n for t, n in texts.items() if n != 1}


def test_two_scheduler_copies_run_each_slot_once(cluster):
    import subprocess
    import sys

    from .conftest import ROOT

    before = {(job, slot) for job, slot in cluster.sql("SELECT job, slot FROM core_jobrun")}
    copies = [subprocess.Popen([sys.executable, "-m", "xieshang", "scheduler", "--once"], cwd=ROOT, env=cluster.env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [copy.communicate(timeout=120) for copy in copies]
    assert [copy.returncode for copy in copies] == [0, 0], outputs
    runs = cluster.sql("SELECT job, slot, attempts, status FROM core_jobrun")
    new = [r for r in runs if (r[0], r[1]) not in before]
    jobs = [r[0] for r in new]
    assert "proposals.periodic" in jobs, new  # its slot had not run in this database before
    assert len(jobs) == len(set(jobs)), new  # one run per job and slot
    assert all(r[2] == 1 and r[3] == "done" for r in new), new
    said = " ".join(out for out, _ in outputs)
    for job in jobs:  # one copy ran it, the other found it taken
        assert said.count(f"{job}: done") == 1 and said.count(f"{job}: taken") == 1, said
    assert said.count(": done") == len(jobs), said  # and nothing ran whose slot had run before
