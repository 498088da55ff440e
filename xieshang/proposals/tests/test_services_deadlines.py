"""Deadlines in working days (deadlines.py) and the periodic jobs (tasks.py): reminders, end of co-signing."""

import datetime

import pytest
from django.utils import timezone

from xieshang.core.models import Event, Notification, TimerSetting
from xieshang.proposals import deadlines, tasks
from xieshang.proposals.models import Assignment, Proposal, ProposalState
from xieshang.proposals.tests.factories import make_actors, set_today, walk_to

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def actors(committee):
    return make_actors(committee)


def _assignment_due(actors, monkeypatch, due: datetime.date, state="handling"):
    p, _ = walk_to(state, actors=actors)
    a = p.assignments.get()
    Assignment.objects.filter(pk=a.pk).update(due_date=due)
    a.refresh_from_db()
    return p, a


def test_due_info_across_national_day(actors, monkeypatch):
    p, a = _assignment_due(actors, monkeypatch, D(2025, 10, 10))
    # Fri 26 Sep: working days left 28 (Sun, make-up), 29, 30 Sep, 9, 10 Oct = 5
    info = deadlines.due_info(a, today=D(2025, 9, 26))
    assert info == {"due_date": D(2025, 10, 10), "days_left": 5, "days_abs": 5, "overdue": False, "due_soon": True}
    assert deadlines.due_info(a, today=D(2025, 9, 25))["due_soon"] is False  # 6 working days ahead
    assert deadlines.due_info(a, today=D(2025, 10, 3))["days_left"] == 2  # the holiday does not count
    late = deadlines.due_info(a, today=D(2025, 10, 13))
    assert late["overdue"] and late["days_left"] == -2  # Sat 11 Oct (make-up) and Mon 13 Oct
    a.state = "replied"
    assert deadlines.due_info(a, today=D(2025, 10, 13))["overdue"] is False


def test_due_info_uses_the_clock(actors, monkeypatch):
    p, a = _assignment_due(actors, monkeypatch, D(2025, 10, 10))
    set_today(monkeypatch, D(2025, 10, 10))
    assert deadlines.due_info(a)["days_left"] == 0


@pytest.mark.hot_cache_off  # the timer written straight into the database, not through timer_set
def test_reminder_date_follows_the_committees_timer(actors):
    assert deadlines.reminder_date(actors.committee, D(2025, 10, 10)) == D(2025, 9, 26)
    TimerSetting.objects.create(committee=actors.committee, key="proposal.remind_before", amount=2, unit="working_days")
    assert deadlines.reminder_date(actors.committee, D(2025, 10, 10)) == D(2025, 9, 30)


def _reminders(kind=None):
    qs = Notification.objects.filter(kind__startswith="proposal.reminder_")
    return qs.filter(kind=f"proposal.reminder_{kind}") if kind else qs


def test_reminders_before_on_and_after_the_due_date_each_once(actors, monkeypatch):
    p, a = _assignment_due(actors, monkeypatch, D(2025, 10, 10))
    unit_user = actors.unit_users[0]
    assert tasks.run_periodic_jobs(D(2025, 9, 25))["reminders"] == 0
    assert tasks.run_periodic_jobs(D(2025, 9, 26))["reminders"] == 1  # 5 working days ahead
    assert tasks.run_periodic_jobs(D(2025, 9, 26))["reminders"] == 0  # the job ran twice: nothing twice
    assert tasks.run_periodic_jobs(D(2025, 9, 30))["reminders"] == 0
    assert _reminders("before").get().recipient == unit_user
    assert tasks.run_periodic_jobs(D(2025, 10, 10))["reminders"] == 1
    assert tasks.run_periodic_jobs(D(2025, 10, 10))["reminders"] == 0
    assert _reminders("due").count() == 1
    # overdue: the day after, then once a week
    for day, expected in ((11, 1), (12, 0), (17, 0), (18, 1), (19, 0), (25, 1)):
        assert tasks.run_periodic_jobs(D(2025, 10, day))["reminders"] == expected, day
    assert _reminders("overdue").count() == 3
    a.refresh_from_db()
    assert a.last_reminded_on == D(2025, 10, 25)


def test_an_extension_brings_a_new_reminder(actors, monkeypatch):
    p, a = _assignment_due(actors, monkeypatch, D(2025, 10, 10))
    tasks.run_periodic_jobs(D(2025, 10, 10))
    Assignment.objects.filter(pk=a.pk).update(due_date=D(2025, 10, 17))
    assert tasks.run_periodic_jobs(D(2025, 10, 17))["reminders"] == 1
    assert _reminders("due").count() == 2


def test_no_reminders_for_replied_or_closed_work(actors, monkeypatch):
    p, a = _assignment_due(actors, monkeypatch, D(2025, 10, 10), state="replied")
    assert tasks.run_periodic_jobs(D(2025, 10, 10))["reminders"] == 0
    assert tasks.run_periodic_jobs(D(2025, 10, 20))["reminders"] == 0


def test_reminders_reach_every_user_of_the_unit(actors, monkeypatch):
    from xieshang.proposals.tests.factories import make_role_user

    second = make_role_user(actors.committee, "unit", unit=actors.units[0])
    p, a = _assignment_due(actors, monkeypatch, D(2025, 10, 10))
    assert tasks.run_periodic_jobs(D(2025, 10, 10))["reminders"] == 2
    assert set(_reminders().values_list("recipient", flat=True)) == {actors.unit_users[0].pk, second.pk}


def test_close_due_cosigning_moves_late_proposals_to_submitted(actors, monkeypatch):
    p, _ = walk_to("cosigning", actors=actors)
    deadline_day = timezone.localtime(p.cosign_deadline).date()
    assert tasks.run_periodic_jobs(deadline_day)["cosigning_closed"] == 0  # the last day is still open
    moved = tasks.run_periodic_jobs(deadline_day + datetime.timedelta(days=1))
    assert moved["cosigning_closed"] == 1
    p.refresh_from_db()
    assert p.state == ProposalState.SUBMITTED
    event = Event.objects.for_object(p).get(action="proposal.close_cosigning")
    assert event.actor is None and event.payload["by"] == "system"
    assert tasks.run_periodic_jobs(deadline_day + datetime.timedelta(days=2))["cosigning_closed"] == 0


def test_tasks_run_through_the_task_backend(actors, monkeypatch):
    p, _ = walk_to("cosigning", actors=actors)
    Proposal.objects.filter(pk=p.pk).update(cosign_deadline=p.cosign_deadline - datetime.timedelta(days=30))
    result = tasks.close_due_cosigning.enqueue()
    assert result.return_value == 1
    q, a = _assignment_due(actors, monkeypatch, timezone.localdate())
    assert tasks.send_deadline_reminders.enqueue().return_value == 1
    assert tasks.periodic_jobs.enqueue().return_value == {
        "cosigning_closed": 0, "reminders": 0, "first_contact_reminders": 0, "views_reminders": 0,
        "evaluation_reminders": 0,
    }


def test_reminders_follow_the_committees_own_timer(actors, monkeypatch):
    TimerSetting.objects.create(committee=actors.committee, key="proposal.remind_before", amount=2, unit="working_days")
    p, a = _assignment_due(actors, monkeypatch, D(2025, 10, 10))
    assert tasks.run_periodic_jobs(D(2025, 9, 29))["reminders"] == 0
    assert tasks.run_periodic_jobs(D(2025, 9, 30))["reminders"] == 1  # 2 working days ahead: 30 Sep, (holiday), 9 Oct


def test_reminder_queries_do_not_grow_with_the_number_of_assignments(actors, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def run_on_fresh_due_date(day):
        for a in Assignment.objects.all():
            Assignment.objects.filter(pk=a.pk).update(due_date=day)
        with CaptureQueriesContext(connection) as ctx:
            tasks.run_periodic_jobs(D(2025, 10, 10))
        return len(ctx.captured_queries)

    _assignment_due(actors, monkeypatch, D(2025, 10, 10))
    run_on_fresh_due_date(D(2025, 10, 10))
    quiet_one = run_on_fresh_due_date(D(2025, 10, 10))  # everything already sent
    for _ in range(4):
        _assignment_due(actors, monkeypatch, D(2025, 10, 10))
    run_on_fresh_due_date(D(2025, 10, 10))
    assert run_on_fresh_due_date(D(2025, 10, 10)) == quiet_one


@pytest.mark.hot_cache_off  # counts the one query that reads the timer
def test_due_infos_for_a_page_reads_the_timer_once(actors, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [_assignment_due(actors, monkeypatch, D(2025, 10, 10))[1] for _ in range(3)]
    rows = list(Assignment.objects.select_related("proposal").filter(pk__in=[a.pk for a in rows]))
    deadlines.due_info(rows[0], today=D(2025, 9, 26))  # warm the calendar cache
    with CaptureQueriesContext(connection) as ctx:
        infos = deadlines.due_infos(rows + [None], today=D(2025, 9, 26))
    assert len(ctx.captured_queries) == 1
    assert infos == [deadlines.due_info(a, today=D(2025, 9, 26)) for a in rows]
    assert rows[0].due["days_left"] == 5
