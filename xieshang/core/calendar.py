"""The working-day calendar on the official Chinese calendar.

A day is a working day when the `Holiday` table says so, and otherwise when it is Monday to
Friday. National rows come from the `chinese-calendar` package (`xieshang calendar sync`) and
from administrators for later years (the State Council publishes each December); a committee
may add local rows that override the national ones. For a year with no rows at all the
calendar falls back to plain weekends; `years_without_data` lets the interface warn about it.

Public functions: `is_working_day`, `add_working_days`, `working_days_between`,
`add_months`, `next_working_day`, `previous_working_day`, `years_without_data`, `load_from_package`.
"""

from __future__ import annotations

import calendar as _pycal
import datetime
import threading
import time
from bisect import bisect_right
from contextlib import contextmanager
from functools import lru_cache

from django.core.cache import cache
from django.db.models import Q

VERSION_KEY = "xieshang:calendar:version"


def _version() -> int:
    from .cache import primed_get

    version = primed_get(VERSION_KEY)
    if version is None:
        version = 1
        cache.set(VERSION_KEY, version, None)
    return version


def invalidate() -> None:
    """Call after the Holiday table changes (services do)."""
    from .cache import unprime

    unprime([VERSION_KEY])
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, None)
    _overrides.cache_clear()


# Each process keeps the table in memory. A change bumps the version in the shared cache (Redis in
# production), which every process sees at once; without Redis the cache is per process, so the
# table is also read again every minute and other processes see a change within that time.
_REFRESH_SECONDS = 60


_pinned = threading.local()


def _stamp() -> tuple[int, int]:
    stamp = getattr(_pinned, "stamp", None)
    if stamp is not None:
        return stamp
    return _version(), int(time.monotonic() // _REFRESH_SECONDS)


@contextmanager
def pinned():
    """Within the block, ask the shared cache for the calendar's version once, not at every call
    (a page computing the deadlines of 100 rows makes 200 calls): one consistent calendar for one pass."""
    if getattr(_pinned, "stamp", None) is not None:  # nested: the outer block's calendar
        yield
        return
    _pinned.stamp = (_version(), int(time.monotonic() // _REFRESH_SECONDS))
    try:
        yield
    finally:
        _pinned.stamp = None


@lru_cache(maxsize=256)
def _overrides(
    committee_id: int | None, version: int, epoch: int = 0
) -> tuple[dict[datetime.date, bool], frozenset[int], tuple[list[int], list[int]]]:
    """{date: is_working_day} for the national rows, overlaid by the committee's own; the years covered;
    and the index of the fast counts (`_index`)."""
    from .models import Holiday

    rows = Holiday.objects.filter(Q(committee__isnull=True) | Q(committee_id=committee_id)).values_list(
        "date", "is_working_day", "committee_id"
    )
    national: dict[datetime.date, bool] = {}
    local: dict[datetime.date, bool] = {}
    for date, working, cid in rows:
        (local if cid else national)[date] = working
    # A year "has data" when the national calendar covers it; a committee's local holiday
    # in a year the State Council has not yet published does not make that year complete.
    years = frozenset(d.year for d in national)
    national.update(local)
    return national, years, _build_index(national)


def _build_index(table: dict[datetime.date, bool]) -> tuple[list[int], list[int]]:
    """The rows that differ from Monday–Friday, as sorted ordinals and the running sum of their
    corrections (+1 a make-up working weekend day, -1 a holiday on a weekday) up to and including each."""
    ordinals, sums, total = [], [], 0
    for day in sorted(table):
        delta = int(table[day]) - int(day.weekday() < 5)
        if delta:
            total += delta
            ordinals.append(day.toordinal())
            sums.append(total)
    return ordinals, sums


def _table(committee) -> dict[datetime.date, bool]:
    cid = committee if isinstance(committee, int) or committee is None else committee.pk
    return _overrides(cid, *_stamp())[0]


def _index(committee) -> tuple[list[int], list[int]]:
    cid = committee if isinstance(committee, int) or committee is None else committee.pk
    return _overrides(cid, *_stamp())[2]


def _weekdays_through(ordinal: int) -> int:
    """How many Mondays–Fridays have an ordinal in 1..`ordinal` (ordinal 1, 1 Jan of year 1, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _working_through(ordinal: int, index: tuple[list[int], list[int]]) -> int:
    """A running count of working days: how many lie in 1..`ordinal` (only differences of it are meaningful)."""
    ordinals, sums = index
    i = bisect_right(ordinals, ordinal)
    return _weekdays_through(ordinal) + (sums[i - 1] if i else 0)


def _first_reaching(target: int, lo: int, hi: int, index) -> int:
    """The smallest ordinal in lo..hi whose running count reaches `target` (the caller makes sure hi does)."""
    while lo < hi:
        mid = (lo + hi) // 2
        if _working_through(mid, index) >= target:
            hi = mid
        else:
            lo = mid + 1
    return lo


def years_with_data(committee=None) -> frozenset[int]:
    cid = committee if isinstance(committee, int) or committee is None else committee.pk
    return _overrides(cid, *_stamp())[1]


def years_without_data(years, committee=None) -> list[int]:
    have = years_with_data(committee)
    return sorted(y for y in set(years) if y not in have)


def _as_date(day) -> datetime.date:
    return day.date() if isinstance(day, datetime.datetime) else day


def _working(day: datetime.date, table: dict[datetime.date, bool]) -> bool:
    working = table.get(day)
    return day.weekday() < 5 if working is None else working


def is_working_day(day: datetime.date, committee=None) -> bool:
    return _working(_as_date(day), _table(committee))


def next_working_day(day: datetime.date, committee=None) -> datetime.date:
    """`day` itself if it is a working day, else the first working day after it."""
    day, table = _as_date(day), _table(committee)
    while not _working(day, table):
        day += datetime.timedelta(days=1)
    return day


def previous_working_day(day: datetime.date, committee=None) -> datetime.date:
    """`day` itself if it is a working day, else the last working day before it."""
    day, table = _as_date(day), _table(committee)
    while not _working(day, table):
        day -= datetime.timedelta(days=1)
    return day


def add_working_days(start: datetime.date, n: int, committee=None) -> datetime.date:
    """The n-th working day after `start` (start itself not counted). n may be negative
    (the n-th working day before `start`); n=0 gives `start`.

    Counted arithmetically (weekdays, corrected by the calendar's rows), not day by day."""
    start = _as_date(start)
    if n == 0:
        return start
    index = _index(committee)
    s = start.toordinal()
    span = abs(n) * 7 // 5 + 14  # the answer without any holiday; widened below while holidays push it further
    try:
        if n > 0:
            target = _working_through(s, index) + n
            hi = s + span
            while _working_through(hi, index) < target:
                span *= 2
                hi = s + span
            return datetime.date.fromordinal(_first_reaching(target, s + 1, hi, index))
        # The |n|-th working day before start: the first day from which |n| working days lie before start.
        target = _working_through(s - 1, index) + n + 1
        lo = s - span
        while _working_through(lo, index) >= target:
            span *= 2
            lo = s - span
        return datetime.date.fromordinal(_first_reaching(target, lo + 1, s - 1, index))
    except (ValueError, OverflowError):  # at the ends of the date range: as before
        return _add_working_days_slow(start, n, _table(committee))


def _add_working_days_slow(start: datetime.date, n: int, table) -> datetime.date:
    step = 1 if n >= 0 else -1
    day, remaining = start, abs(n)
    while remaining:
        day += datetime.timedelta(days=step)
        if _working(day, table):
            remaining -= 1
    return day


def working_days_between(a: datetime.date, b: datetime.date, committee=None) -> int:
    """How many working days lie from `a` to `b`: when b is after a, the working days after `a`
    up to and including `b`; when b is before a, minus the working days from `b` up to but not
    including `a` (counting from `a` towards `b`, as `add_working_days` does).

    So `working_days_between(d, add_working_days(d, n)) == n` for every n, also negative and
    from a weekend or holiday. Counted arithmetically, not day by day.
    """
    a, b = _as_date(a), _as_date(b)
    if b == a:
        return 0
    index = _index(committee)
    if b > a:
        return _working_through(b.toordinal(), index) - _working_through(a.toordinal(), index)
    return -(_working_through(a.toordinal() - 1, index) - _working_through(b.toordinal() - 1, index))


def add_months(start: datetime.date, months: int, committee=None, *, roll_to_working_day: bool = True) -> datetime.date:
    """The same day `months` later (the month's last day when it has no such day, e.g. 31 Jan + 1 → 28/29 Feb).

    A deadline that falls on a holiday or weekend moves to the next working day, as offices count it;
    with negative `months` (a date ahead of an event) it moves back to the previous working day, so
    that it is never later than the rule allows.
    """
    start = _as_date(start)
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, _pycal.monthrange(year, month)[1])
    result = datetime.date(year, month, day)
    if not roll_to_working_day:
        return result
    return previous_working_day(result, committee) if months < 0 else next_working_day(result, committee)


def load_from_package(years: list[int] | None = None) -> int:
    """Create the national rows from the `chinese-calendar` package; returns how many were added.

    Idempotent: existing rows are left alone (an administrator's correction wins).
    """
    import chinese_calendar

    from .models import Holiday

    existing = set(Holiday.objects.filter(committee__isnull=True).values_list("date", flat=True))
    rows = []
    for day, name in chinese_calendar.holidays.items():
        if (years is None or day.year in years) and day.weekday() < 5 and day not in existing:
            rows.append(Holiday(date=day, is_working_day=False, name=_holiday_name(name)))
    for day, name in chinese_calendar.workdays.items():
        if (years is None or day.year in years) and day.weekday() >= 5 and day not in existing:
            rows.append(Holiday(date=day, is_working_day=True, name=_holiday_name(name) + "调休"))
    Holiday.objects.bulk_create(rows, ignore_conflicts=True)
    invalidate()
    return len(rows)


_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _holiday_name(value) -> str:
    if value is None:
        return ""
    text = str(value)
    return _NAMES.get(text, text)
