"""The working-day calendar, the timers and `xieshang calendar` — through the public functions."""

import datetime
import io

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from xieshang.core import calendar, services, timers
from xieshang.core.errors import Forbidden, Invalid
from xieshang.core.models import Holiday
from xieshang.core.tests.factories import CommitteeFactory, UserFactory

D = datetime.date
NO_DATA_YEAR = 2035  # far beyond what chinese-calendar covers; deadlines there count Monday–Friday


@pytest.fixture
def national(db):
    """The national calendar as `migrate` seeds it. Transactional tests (browser, live server) flush the
    database and with it the seeded rows, so load them again; a no-op when they are there."""
    calendar.load_from_package()
    return None


@pytest.fixture
def admin_of(make_user):
    def _admin(committee):
        return make_user(committee, "admin")

    return _admin


# --- The national calendar ---------------------------------------------------


def test_national_day_and_mid_autumn_2025(national):
    for day in range(1, 9):
        assert not calendar.is_working_day(D(2025, 10, day)), f"1–8 Oct 2025 are holidays ({day})"
    assert calendar.is_working_day(D(2025, 9, 28))  # Sunday, make-up working day
    assert calendar.is_working_day(D(2025, 10, 11))  # Saturday, make-up working day
    assert not calendar.is_working_day(D(2025, 9, 27))  # an ordinary Saturday
    assert not calendar.is_working_day(D(2025, 10, 12))  # an ordinary Sunday
    assert calendar.is_working_day(D(2025, 10, 9))

    assert calendar.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)
    assert calendar.add_working_days(D(2025, 9, 26), 1) == D(2025, 9, 28)  # Friday → the make-up Sunday
    assert calendar.add_working_days(D(2025, 10, 9), 2) == D(2025, 10, 11)  # Thursday → the make-up Saturday
    # An objection window of 5 working days from Monday 29 September: 30 Sep, 9, 10, 11, 13 Oct.
    assert calendar.add_working_days(D(2025, 9, 29), 5) == D(2025, 10, 13)
    assert calendar.working_days_between(D(2025, 9, 30), D(2025, 10, 9)) == 1
    assert calendar.working_days_between(D(2025, 9, 26), D(2025, 10, 13)) == 7
    assert calendar.working_days_between(D(2025, 10, 1), D(2025, 10, 8)) == 0


def test_spring_festival_2025(national):
    # 28 Jan – 4 Feb off; Sunday 26 Jan and Saturday 8 Feb are make-up working days.
    assert calendar.is_working_day(D(2025, 1, 26))
    assert all(not calendar.is_working_day(D(2025, 1, 28) + datetime.timedelta(days=i)) for i in range(8))
    assert calendar.is_working_day(D(2025, 2, 8))
    assert calendar.add_working_days(D(2025, 1, 27), 1) == D(2025, 2, 5)
    assert calendar.add_working_days(D(2025, 1, 24), 2) == D(2025, 1, 27)  # Friday → Sun 26 (make-up) → Mon 27
    assert calendar.add_working_days(D(2025, 2, 7), 1) == D(2025, 2, 8)
    assert calendar.working_days_between(D(2025, 1, 24), D(2025, 2, 10)) == 2 + 4 + 1  # 26, 27 Jan | 5–8 Feb | 10 Feb
    assert calendar.next_working_day(D(2025, 1, 30)) == D(2025, 2, 5)
    assert calendar.previous_working_day(D(2025, 1, 30)) == D(2025, 1, 27)


def test_year_without_data_falls_back_to_weekends(national):
    assert calendar.years_without_data([2025, 2026, NO_DATA_YEAR]) == [NO_DATA_YEAR]
    assert {2025, 2026} <= calendar.years_with_data()
    # 1 October 2035 is a Monday: with no national data it is an ordinary working day.
    assert calendar.is_working_day(D(NO_DATA_YEAR, 10, 1))
    assert not calendar.is_working_day(D(NO_DATA_YEAR, 10, 6))  # Saturday
    assert calendar.add_working_days(D(NO_DATA_YEAR, 9, 28), 1) == D(NO_DATA_YEAR, 10, 1)  # Friday → Monday
    assert calendar.add_working_days(D(NO_DATA_YEAR, 10, 1), 10) == D(NO_DATA_YEAR, 10, 15)
    assert calendar.working_days_between(D(NO_DATA_YEAR, 10, 1), D(NO_DATA_YEAR, 10, 31)) == 22


def test_load_from_package_is_idempotent_and_keeps_corrections(national):
    superuser = UserFactory(is_superuser=True)
    # An administrator corrects one national day; loading the package again keeps the correction.
    services.holiday_set(actor=superuser, date=D(2025, 10, 8), is_working_day=True, name="更正")
    assert calendar.load_from_package([2025]) == 0
    assert calendar.is_working_day(D(2025, 10, 8))
    assert Holiday.objects.get(date=D(2025, 10, 8), committee=None).name == "更正"


# --- Committee-local days ------------------------------------------------------


def test_local_holiday_overrides_the_national_calendar(national, committee, admin_of):
    other = CommitteeFactory(code="other")
    admin = admin_of(committee)
    # 古尔邦节: a local holiday on a national working day (Friday 6 June 2025) …
    services.holiday_set(actor=admin, date=D(2025, 6, 6), is_working_day=False, name="古尔邦节", committee=committee)
    # … and a national make-up Saturday that this committee does not work.
    services.holiday_set(actor=admin, date=D(2025, 10, 11), is_working_day=False, name="本地调整", committee=committee)

    assert not calendar.is_working_day(D(2025, 6, 6), committee)
    assert calendar.is_working_day(D(2025, 6, 6), other)
    assert calendar.is_working_day(D(2025, 6, 6))
    assert calendar.add_working_days(D(2025, 6, 5), 1, committee) == D(2025, 6, 9)
    assert calendar.add_working_days(D(2025, 6, 5), 1, other) == D(2025, 6, 6)
    assert calendar.add_working_days(D(2025, 10, 10), 1, committee) == D(2025, 10, 13)
    assert calendar.add_working_days(D(2025, 10, 10), 1) == D(2025, 10, 11)
    assert calendar.is_working_day(D(2025, 6, 6), committee.pk) is False  # an id works as well


def test_local_day_in_a_year_without_national_data_does_not_count_as_data(national, committee, admin_of):
    services.holiday_set(
        actor=admin_of(committee), date=D(NO_DATA_YEAR, 6, 1), is_working_day=False, name="本地", committee=committee
    )
    assert not calendar.is_working_day(D(NO_DATA_YEAR, 6, 1), committee)
    assert calendar.years_without_data([NO_DATA_YEAR], committee) == [NO_DATA_YEAR]


def test_holiday_set_needs_the_right_administrator(national, committee, make_user):
    staff = make_user(committee, "staff")
    admin = make_user(committee, "admin")
    with pytest.raises(Forbidden):
        services.holiday_set(actor=staff, date=D(2025, 6, 6), is_working_day=False, committee=committee)
    with pytest.raises(Forbidden):  # the national calendar belongs to the platform's administrators
        services.holiday_set(actor=admin, date=D(2025, 6, 6), is_working_day=False)
    assert not Holiday.objects.filter(date=D(2025, 6, 6)).exists()
    assert calendar.is_working_day(D(2025, 6, 6), committee)


def test_calendar_change_is_seen_at_once(national, committee):
    superuser = UserFactory(is_superuser=True)
    assert calendar.is_working_day(D(2025, 6, 6))  # cached now
    services.holiday_set(actor=superuser, date=D(2025, 6, 6), is_working_day=False, name="临时")
    assert not calendar.is_working_day(D(2025, 6, 6))
    assert not calendar.is_working_day(D(2025, 6, 6), committee)


def test_a_change_made_by_another_process_is_seen_within_a_minute(national, monkeypatch):
    """Without a shared cache (no Redis) this process is not told of another process's change;
    it reads the table again after a minute."""
    import types

    now = [960.0]  # the start of a minute
    monkeypatch.setattr(calendar, "time", types.SimpleNamespace(monotonic=lambda: now[0]))
    assert calendar.is_working_day(D(2025, 6, 6))
    Holiday.objects.create(date=D(2025, 6, 6), is_working_day=False, name="别处添加")  # no invalidate()
    now[0] += 30
    assert calendar.is_working_day(D(2025, 6, 6))  # still the table in memory
    now[0] += 31
    assert not calendar.is_working_day(D(2025, 6, 6))


# --- Months and negative counts ---------------------------------------------------


def test_add_months_at_month_ends(national):
    assert calendar.add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)  # no 31 February
    assert calendar.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)  # leap year
    assert calendar.add_months(D(2025, 8, 31), 1) == D(2025, 9, 30)
    # 31 May 2025 is the Saturday of the Dragon Boat holiday (31 May – 2 June): roll to Tuesday 3 June.
    assert calendar.add_months(D(2025, 3, 31), 2) == D(2025, 6, 3)
    assert calendar.add_months(D(2025, 3, 31), 2, roll_to_working_day=False) == D(2025, 5, 31)
    # Three months from 1 July 2025 is 1 October: the first working day after the holiday is 9 October.
    assert calendar.add_months(D(2025, 7, 1), 3) == D(2025, 10, 9)
    # Across the year end onto a make-up Saturday (28 Feb 2026 is a working day): it stays.
    assert calendar.add_months(D(2025, 11, 30), 3) == D(2026, 2, 28)
    assert calendar.add_months(D(2025, 12, 15), 12) == D(2026, 12, 15)
    assert calendar.add_months(datetime.datetime(2025, 1, 31, 9, 30), 1) == D(2025, 2, 28)


def test_negative_counts_go_back(national):
    assert calendar.add_working_days(D(2025, 10, 9), -1) == D(2025, 9, 30)
    assert calendar.add_working_days(D(2025, 10, 12), -1) == D(2025, 10, 11)  # Sunday → the make-up Saturday
    assert calendar.add_working_days(D(2025, 10, 5), -3) == D(2025, 9, 28)  # from inside the holiday
    assert calendar.add_working_days(D(2025, 10, 5), 0) == D(2025, 10, 5)
    assert calendar.working_days_between(D(2025, 10, 9), D(2025, 9, 30)) == -1
    assert calendar.working_days_between(D(2025, 10, 5), D(2025, 9, 28)) == -3
    # A month ahead of an event on 1 November 2025 is 1 October, a holiday: the date moves back, to 30 September.
    assert calendar.add_months(D(2025, 11, 1), -1) == D(2025, 9, 30)
    assert calendar.add_months(D(2025, 3, 31), -1) == D(2025, 2, 28)
    assert calendar.add_months(D(2025, 1, 15), -13) == D(2023, 12, 15)


@pytest.mark.parametrize("committee_local", [False, True])
def test_working_days_between_inverts_add_working_days(national, committee, admin_of, committee_local):
    if committee_local:
        services.holiday_set(
            actor=admin_of(committee), date=D(2025, 6, 6), is_working_day=False, name="古尔邦节", committee=committee
        )
    where = committee if committee_local else None

    @hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        start=st.dates(min_value=D(2024, 6, 1), max_value=D(2027, 6, 30)),
        n=st.integers(min_value=-60, max_value=60),
    )
    def check(start, n):
        end = calendar.add_working_days(start, n, where)
        assert calendar.working_days_between(start, end, where) == n
        if n:
            assert calendar.is_working_day(end, where)
            assert (end > start) == (n > 0)
        assert calendar.add_working_days(start, n + 1, where) > end

    check()


def _naive_between(a, b, where):
    """working_days_between counted day by day, as the calendar did before the fast path."""
    one, count = datetime.timedelta(days=1), 0
    if b >= a:
        day = a
        while day < b:
            day += one
            count += calendar.is_working_day(day, where)
        return count
    day = a
    while day > b:
        day -= one
        count += calendar.is_working_day(day, where)
    return -count


def _naive_add(start, n, where):
    step, day, remaining = datetime.timedelta(days=1 if n >= 0 else -1), start, abs(n)
    while remaining:
        day += step
        remaining -= calendar.is_working_day(day, where)
    return day


def test_fast_counts_agree_with_counting_day_by_day(national, committee):
    """The arithmetic counts (weekdays corrected by the calendar's rows) give what a day-by-day loop
    gives, over the years the national calendar covers and beyond, with local days of the committee
    (holidays on weekdays, working weekends, and local rows overriding national ones)."""
    days = st.dates(min_value=D(2004, 1, 1), max_value=D(2027, 12, 31))

    @hsettings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        a=days, b=days, n=st.integers(min_value=-400, max_value=400),
        local=st.dictionaries(days, st.booleans(), max_size=25),
        use_committee=st.booleans(),
    )
    def check(a, b, n, local, use_committee):
        Holiday.objects.filter(committee=committee).delete()
        Holiday.objects.bulk_create(
            [Holiday(date=d, is_working_day=w, name="本地", committee=committee) for d, w in local.items()]
        )
        calendar.invalidate()
        where = committee if use_committee else None
        if abs((b - a).days) <= 3 * 366:  # keep the naive loop short enough for many examples
            assert calendar.working_days_between(a, b, where) == _naive_between(a, b, where)
        assert calendar.add_working_days(a, n, where) == _naive_add(a, n, where)

    check()


# --- Timers --------------------------------------------------------------------------


def test_timer_defaults_and_committee_override(national, committee, admin_of):
    other = CommitteeFactory(code="other")
    start = D(2025, 9, 29)
    assert timers.timer(committee, "proposal.objection") == (5, "working_days")
    assert timers.deadline(committee, "proposal.objection", start) == D(2025, 10, 13)
    assert timers.deadline(committee, "proposal.reply", D(2025, 7, 1)) == D(2025, 10, 9)  # 3 months, rolled
    assert timers.deadline(committee, "proposal.cosign", D(2025, 9, 29)) == D(2025, 10, 6)  # calendar days

    services.timer_set(actor=admin_of(committee), committee=committee, key="proposal.objection", amount=3, unit="days")
    assert timers.timer(committee, "proposal.objection") == (3, "days")
    assert timers.deadline(committee, "proposal.objection", start) == D(2025, 10, 2)
    assert timers.deadline(other, "proposal.objection", start) == D(2025, 10, 13)  # the default still
    assert timers.deadline(None, "proposal.objection", start) == D(2025, 10, 13)

    services.timer_set(actor=admin_of(committee), committee=committee, key="proposal.objection", amount=2, unit="months")
    assert timers.deadline(committee, "proposal.objection", datetime.datetime(2025, 8, 1, 10, 0)) == D(2025, 10, 9)


def test_timer_set_refuses_bad_input_and_strangers(national, committee, make_user):
    admin = make_user(committee, "admin")
    staff = make_user(committee, "staff")
    with pytest.raises(Forbidden):
        services.timer_set(actor=staff, committee=committee, key="proposal.objection", amount=3, unit="days")
    with pytest.raises(Invalid) as exc:
        services.timer_set(actor=admin, committee=committee, key="no.such.timer", amount=3, unit="days")
    assert "key" in exc.value.field_errors
    with pytest.raises(Invalid) as exc:
        services.timer_set(actor=admin, committee=committee, key="proposal.objection", amount=3, unit="weeks")
    assert "unit" in exc.value.field_errors
    assert timers.timer(committee, "proposal.objection") == (5, "working_days")


# --- The `xieshang calendar` command -------------------------------------------------------


def test_calendar_sync_adds_the_missing_years(national):
    Holiday.objects.filter(committee=None, date__year=2025).delete()
    calendar.invalidate()
    assert calendar.years_without_data([2025]) == [2025]
    assert calendar.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 1)  # no data: a plain Wednesday

    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("calendar", "check", "--years", "2024", "2025", stdout=out)
    assert "No holiday data for: 2025." in out.getvalue()
    assert "–2024, 2026" in out.getvalue()  # the years with data, the gap shown

    out = io.StringIO()
    call_command("calendar", "sync", "--years", "2025", stdout=out)
    added = Holiday.objects.filter(committee=None, date__year=2025).count()
    assert added > 20
    assert f"Added {added} day(s)" in out.getvalue()
    import chinese_calendar

    first, last = min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year
    assert f"Years with holiday data: {first}–{last}." in out.getvalue()
    assert calendar.add_working_days(D(2025, 9, 30), 1) == D(2025, 10, 9)

    out = io.StringIO()
    call_command("calendar", "sync", stdout=out)  # everything is there already
    assert "Added 0 day(s)" in out.getvalue()


def test_calendar_sync_warns_about_years_the_package_lacks(national):
    out, err = io.StringIO(), io.StringIO()
    call_command("calendar", "sync", "--years", str(NO_DATA_YEAR), stdout=out, stderr=err)
    assert str(NO_DATA_YEAR) in err.getvalue()
    assert "Added 0 day(s)" in out.getvalue()


def test_calendar_check_lists_years_without_data(national):
    out = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("calendar", "check", "--years", "2025", str(NO_DATA_YEAR), stdout=out)
    assert exc.value.code == 1
    assert f"No holiday data for: {NO_DATA_YEAR}." in out.getvalue()

    out = io.StringIO()
    # As from the command line, with the system checks first.
    call_command("calendar", "check", "--years", "2025", "2026", stdout=out, skip_checks=False)
    assert "Every year has holiday data: 2025, 2026." in out.getvalue()


def test_calendar_command_needs_an_action(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("calendar")
