"""Deadlines in core (xieshang.core.deadlines): the services, "due soon" and overdue at the edges of the
working-day calendar, and the one reminder job — for kinds declared by a test app's registry."""

import datetime

import pytest

from xieshang.core import clock, deadlines, registry, timers
from xieshang.core.deadlines import DeadlineKind, Want
from xieshang.core.models import Deadline, Holiday, Notification, TimerSetting
from xieshang.core.tests.factories import HandlingUnitFactory

pytestmark = pytest.mark.django_db
D = datetime.date
HERE = "xieshang.core.tests.test_deadlines."

# Who the test kinds remind: set by each test.
PEOPLE: list = []


def recipients(deadline):
    return list(PEOPLE)


def url(deadline):
    return f"/things/{deadline.object_id}/"


def subject(deadline):
    return f"thing {deadline.object_id}"


TEST_KINDS = {
    "test.answer": DeadlineKind(name="test.answer", label="Answer", timer="test.answer",
                                recipients=HERE + "recipients", url=HERE + "url", subject=HERE + "subject"),
    "test.weekly": DeadlineKind(name="test.weekly", label="Report", timer="test.answer", on_the_day=True,
                                overdue_every=7, recipients=HERE + "recipients", url=HERE + "url",
                                subject=HERE + "subject", notification_kind="test.weekly_{stage}",
                                messages={"before": "Report by %(date)s: %(title)s", "due": "Report today: %(title)s",
                                          "overdue": "Report late since %(date)s: %(title)s"}),
    "test.silent": DeadlineKind(name="test.silent", label="Silent", timer="test.answer", remind=False,
                                overdue_notice=False),
}


@pytest.fixture(autouse=True)
def test_app(monkeypatch):
    """A test app declares its kinds (what an AppConfig.declare() would return) and a timer."""
    monkeypatch.setattr(registry, "deadline_kinds", lambda: dict(TEST_KINDS))
    monkeypatch.setitem(timers.DEFAULT_TIMERS, "test.answer", timers.TimerDefault(15, "working_days", "answer"))
    PEOPLE.clear()
    yield
    PEOPLE.clear()


@pytest.fixture
def thing(committee):
    return HandlingUnitFactory(committee=committee)  # any row of a committee can have deadlines


@pytest.fixture
def person(make_user, committee):
    user = make_user(committee, "staff")
    PEOPLE.append(user)
    return user


def _open(thing, due=D(2025, 10, 10), kind="test.answer", party=""):
    return deadlines.deadline_open(obj=thing, kind=kind, party=party, due_on=due)


# --- Services --------------------------------------------------------------------------------------


def test_open_counts_the_kinds_timer_in_working_days_from_the_start(thing):
    row = deadlines.deadline_open(obj=thing, kind="test.answer", start=D(2025, 9, 26))
    # 15 working days from Fri 26 Sep 2025: the National Day week (1–8 Oct) does not count, Sun 28 Sep
    # and Sat 11 Oct are make-up working days.
    assert row.due_on == row.original_due_on == D(2025, 10, 23)
    assert (row.state, row.committee_id, row.target) == ("open", thing.committee_id, thing)


def test_open_starts_today_on_the_clock(thing):
    clock.set_to(D(2025, 9, 26))
    assert deadlines.deadline_open(obj=thing, kind="test.answer").due_on == D(2025, 10, 23)


def test_open_is_idempotent_and_a_second_open_starts_it_again(thing):
    first = _open(thing)
    Deadline.objects.filter(pk=first.pk).update(last_reminded_on=D(2025, 10, 1), state="met", met_on=D(2025, 10, 2))
    again = _open(thing, due=D(2025, 11, 3))
    assert again.pk == first.pk and Deadline.objects.count() == 1
    again.refresh_from_db()
    assert (again.state, again.due_on, again.original_due_on, again.last_reminded_on, again.met_on) == (
        "open", D(2025, 11, 3), D(2025, 11, 3), None, None)


def test_one_row_per_object_kind_and_party(thing):
    _open(thing, party="unit:1")
    _open(thing, party="unit:2")
    _open(thing, kind="test.silent")
    assert [(d.kind, d.party) for d in deadlines.deadlines_of(thing)] == [
        ("test.answer", "unit:1"), ("test.answer", "unit:2"), ("test.silent", "")]


def test_extend_keeps_the_original_date_and_back_to_it_is_open_again(thing):
    _open(thing)
    row = deadlines.deadline_extend(obj=thing, kind="test.answer", due_on=D(2025, 10, 31))
    assert (row.state, row.due_on, row.original_due_on) == ("extended", D(2025, 10, 31), D(2025, 10, 10))
    assert deadlines.due_soon(row, today=D(2025, 10, 27)) and not deadlines.is_overdue(row, today=D(2025, 10, 13))
    row = deadlines.deadline_extend(obj=thing, kind="test.answer", due_on=D(2025, 10, 10))
    assert row.state == "open"


def test_extend_without_a_running_deadline_is_refused(thing):
    with pytest.raises(Deadline.DoesNotExist):
        deadlines.deadline_extend(obj=thing, kind="test.answer", due_on=D(2025, 10, 31))


def test_meet_and_waive(thing):
    _open(thing, party="a")
    _open(thing, party="b")
    clock.set_to(D(2025, 10, 9))
    met = deadlines.deadline_meet(obj=thing, kind="test.answer", party="a")
    waived = deadlines.deadline_waive(obj=thing, kind="test.answer", party="b")
    assert (met.state, met.met_on) == ("met", D(2025, 10, 9))
    assert (waived.state, waived.met_on) == ("waived", None)
    assert not deadlines.is_overdue(met, today=D(2025, 12, 1)) and not deadlines.due_soon(waived, today=D(2025, 10, 10))
    assert deadlines.deadline_meet(obj=thing, kind="test.answer", party="never") is None


def test_a_kind_nobody_declares_is_refused(thing):
    with pytest.raises(LookupError):
        deadlines.deadline_open(obj=thing, kind="nobody.declares", due_on=D(2025, 10, 10))


def test_reconcile_opens_extends_meets_and_waives_in_bulk(thing, django_assert_max_num_queries):
    _open(thing, party="extend-me")
    _open(thing, party="forget-me")
    _open(thing, party="meet-me")
    wanted = {thing.pk: (thing.committee_id, [
        Want("test.answer", "new", D(2025, 10, 10)),
        Want("test.answer", "extend-me", D(2025, 10, 24), D(2025, 10, 10)),
        Want("test.answer", "meet-me", D(2025, 10, 10), state="met"),
        Want("test.answer", "never-ran", D(2025, 10, 10), state="waived"),
    ])}
    with django_assert_max_num_queries(4):
        assert deadlines.deadlines_reconcile(model=type(thing), wanted=wanted, kinds=["test.answer"]) == 4
    rows = {d.party: (d.state, d.due_on) for d in deadlines.deadlines_of(thing)}
    assert rows == {"new": ("open", D(2025, 10, 10)), "extend-me": ("extended", D(2025, 10, 24)),
                    "meet-me": ("met", D(2025, 10, 10)), "forget-me": ("waived", D(2025, 10, 10))}
    assert deadlines.deadlines_reconcile(model=type(thing), wanted=wanted, kinds=["test.answer"]) == 0


# --- "Due soon" and overdue -------------------------------------------------------------------------


def test_due_soon_starts_the_remind_before_timer_ahead_in_working_days(thing):
    row = _open(thing)  # due Fri 10 Oct 2025; 5 working days ahead: 26 Sep (National Day week between)
    assert not deadlines.due_soon(row, today=D(2025, 9, 25))
    assert deadlines.due_soon(row, today=D(2025, 9, 26))
    assert deadlines.due_soon(row, today=D(2025, 10, 10))  # the due date itself is still "due soon"…
    assert not deadlines.is_overdue(row, today=D(2025, 10, 10))  # …and not overdue
    assert not deadlines.due_soon(row, today=D(2025, 10, 11)) and deadlines.is_overdue(row, today=D(2025, 10, 11))
    # The same definition for a bare due date of a committee (the lists' copied column).
    assert deadlines.due_soon(D(2025, 10, 10), thing.committee, D(2025, 9, 26))
    assert not deadlines.due_soon(D(2025, 10, 10), thing.committee, D(2025, 9, 25))


@pytest.mark.hot_cache_off  # the timer written straight into the database, not through timer_set
def test_due_soon_follows_the_committees_timer_and_its_own_holidays(thing):
    row = _open(thing, due=D(2025, 6, 13))  # Fri; 5 working days ahead: Fri 6 Jun
    assert deadlines.due_soon(row, today=D(2025, 6, 6)) and not deadlines.due_soon(row, today=D(2025, 6, 5))
    Holiday.objects.create(committee=thing.committee, date=D(2025, 6, 10), is_working_day=False, name="本地节日")
    from xieshang.core import calendar

    calendar.invalidate()
    assert deadlines.due_soon(row, today=D(2025, 6, 5))  # the local holiday moves the start a day earlier
    assert not deadlines.due_soon(row, today=D(2025, 6, 4))
    assert not deadlines.due_soon(row, today=D(2025, 6, 5), committee=HandlingUnitFactory().committee)  # not elsewhere
    TimerSetting.objects.create(committee=thing.committee, key="deadline.remind_before", amount=1, unit="working_days")
    assert deadlines.due_soon(row, today=D(2025, 6, 12)) and not deadlines.due_soon(row, today=D(2025, 6, 11))


def test_overdue_and_due_soon_ask_the_clock(thing):
    row = _open(thing)
    clock.set_to(D(2025, 10, 13))
    assert deadlines.is_overdue(row) and not deadlines.due_soon(row)
    assert deadlines.working_days_left(row) == -2  # Sat 11 Oct (make-up day) and Mon 13 Oct


# --- The reminder job ---------------------------------------------------------------------------------


def _sent(kind="test.answer.before"):
    return Notification.objects.filter(kind=kind)


def test_one_reminder_before_and_one_overdue_notice(thing, person, monkeypatch):
    from xieshang.core import notices

    _open(thing)
    monkeypatch.setattr(notices, "language_of", lambda user: "en")  # a reader of English (core.notices)
    run = deadlines.run_reminders
    assert run(D(2025, 9, 25))["test.answer"] == 0
    assert run(D(2025, 9, 26))["test.answer"] == 1  # the remind-before day
    assert run(D(2025, 9, 29))["test.answer"] == 0  # once
    assert run(D(2025, 10, 10))["test.answer"] == 0  # no notice of its own on the day for this kind
    assert run(D(2025, 10, 11))["test.answer"] == 1  # overdue: once
    assert run(D(2025, 10, 18))["test.answer"] == 0
    before, late = _sent().get(), _sent("test.answer.overdue").get()
    assert before.recipient == person and before.title == f"Answer due on 10 Oct 2025: thing {thing.pk}"
    assert before.url == f"/things/{thing.pk}/" and before.committee_id == thing.committee_id
    assert late.title == f"Answer overdue since 10 Oct 2025: thing {thing.pk}"
    row = Deadline.objects.get()
    assert (row.last_reminded_on, row.overdue_notified_on) == (D(2025, 10, 11), D(2025, 10, 11))


def test_a_late_run_still_reminds_within_the_window(thing, person):
    _open(thing)
    assert deadlines.run_reminders(D(2025, 10, 9))["test.answer"] == 1


def test_on_the_day_and_weekly_overdue_for_kinds_that_ask(thing, person):
    _open(thing, kind="test.weekly")
    run = deadlines.run_reminders
    sent = [run(D(2025, 10, day))["test.weekly"] for day in (9, 10, 10, 11, 12, 17, 18, 25)]
    assert sent == [1, 1, 0, 1, 0, 0, 1, 1]
    assert _sent("test.weekly_due").get().title == f"Report today: thing {thing.pk}"
    # the reader's language (the site's default: Chinese), the date as offices write it
    assert _sent("test.weekly_before").get().title == f"Report by 2025年10月10日: thing {thing.pk}"
    assert _sent("test.weekly_overdue").count() == 3


def test_nothing_for_met_waived_or_silent_deadlines(thing, person):
    _open(thing, party="met")
    _open(thing, party="waived")
    _open(thing, kind="test.silent")
    deadlines.deadline_meet(obj=thing, kind="test.answer", party="met")
    deadlines.deadline_waive(obj=thing, kind="test.answer", party="waived")
    for day in (D(2025, 9, 26), D(2025, 10, 10), D(2025, 10, 11), D(2025, 11, 20)):
        assert sum(deadlines.run_reminders(day).values()) == 0
    assert not Notification.objects.exists()


def test_an_extension_brings_new_reminders(thing, person):
    _open(thing)
    deadlines.run_reminders(D(2025, 10, 11))  # overdue notice
    deadlines.deadline_extend(obj=thing, kind="test.answer", due_on=D(2025, 10, 31))
    assert deadlines.run_reminders(D(2025, 10, 27))["test.answer"] == 1  # before the new date
    assert deadlines.run_reminders(D(2025, 11, 3))["test.answer"] == 1  # late again


def test_without_recipients_the_reminder_waits_for_someone(thing, make_user, committee):
    _open(thing)
    assert deadlines.run_reminders(D(2025, 9, 26))["test.answer"] == 0
    assert Deadline.objects.get().last_reminded_on is None
    PEOPLE.append(make_user(committee, "staff"))
    assert deadlines.run_reminders(D(2025, 9, 29))["test.answer"] == 1


def test_the_job_runs_on_the_clock_and_twice_sends_nothing_twice(thing, person):
    _open(thing)
    clock.set_to(D(2025, 9, 26))
    assert deadlines.run_reminders() == {"test.answer": 1, "test.weekly": 0}  # silent kinds are not run
    Deadline.objects.update(last_reminded_on=None)  # as if a second copy had read the row before the first wrote
    assert deadlines.run_reminders() == {"test.answer": 0, "test.weekly": 0}  # the dedupe key holds
    assert _sent().count() == 1


def test_the_job_follows_the_committees_remind_before_timer(thing, person):
    TimerSetting.objects.create(committee=thing.committee, key="deadline.remind_before", amount=2, unit="working_days")
    _open(thing)
    assert deadlines.run_reminders(D(2025, 9, 29))["test.answer"] == 0
    assert deadlines.run_reminders(D(2025, 9, 30))["test.answer"] == 1  # 30 Sep, (holiday), 9 Oct, 10 Oct


def test_the_job_queries_do_not_grow_with_the_deadlines(committee, person, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def quiet_run():
        with CaptureQueriesContext(connection) as ctx:
            deadlines.run_reminders(D(2025, 9, 26))
        return len(ctx.captured_queries)

    _open(HandlingUnitFactory(committee=committee))
    deadlines.run_reminders(D(2025, 9, 26))
    one = quiet_run()
    for _ in range(5):
        _open(HandlingUnitFactory(committee=committee))
    deadlines.run_reminders(D(2025, 9, 26))
    assert quiet_run() == one


def test_the_scheduler_runs_the_core_job():
    from xieshang.core import scheduler

    job = {j.name: j for j in scheduler.JOBS}["core.deadlines"]
    assert scheduler.resolve(job.path) is deadlines.run_reminders


@pytest.mark.parametrize("amount,unit", [(5, "working_days"), (1, "working_days"), (1, "months"), (3, "days")])
def test_the_list_filters_limit_follows_the_same_rule(committee, amount, unit):
    """`due_soon_until` (the lists' filter) answers exactly like `due_soon`, holidays and weekends included."""
    TimerSetting.objects.create(committee=committee, key="deadline.remind_before", amount=amount, unit=unit)
    remind = deadlines.remind_before(committee)
    assert remind == (amount, unit)
    for today in (D(2025, 9, 26), D(2025, 9, 27), D(2025, 10, 1), D(2025, 10, 8), D(2026, 1, 30), D(2026, 2, 28)):
        limit = deadlines.due_soon_until(committee, today)
        for offset in range(0, 45):
            due = today + datetime.timedelta(days=offset)
            assert deadlines.due_soon(due, committee, today, remind=remind) == (due <= limit), (today, due, limit)
