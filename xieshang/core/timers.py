"""Timers: how long each step may take. Defaults from DESIGN.md; each committee may override.

`deadline(committee, key, start)` turns a timer into a due date on the working-day calendar.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import calendar
from .cache import TIMERS, hot_cache_seconds, hot_key, primed_get


@dataclass(frozen=True)
class TimerDefault:
    amount: int
    unit: str  # "days" | "working_days" | "months"
    label: str


# Core's own timer defaults. The apps declare theirs (`Declarations.timers`: "proposal.reply", "opinion.edit" …);
# `defaults()` is both.
DEFAULT_TIMERS: dict[str, TimerDefault] = {
    # Core: how long before a deadline of any kind its reminder goes out ("due soon" starts), unless the
    # kind names its own remind-before timer (xieshang.core.deadlines).
    "deadline.remind_before": TimerDefault(5, "working_days", _("reminder before a deadline (other kinds)")),
}


def timer(committee, key: str) -> tuple[int, str]:
    """(amount, unit) for this committee: its own setting, else the default."""
    from .models import TimerSetting

    if committee is not None:
        if hot_cache_seconds():
            own = _own_timers(getattr(committee, "pk", committee)).get(key)
        else:
            own = TimerSetting.objects.filter(committee=committee, key=key).values_list("amount", "unit").first()
        if own:
            return tuple(own)
    default = defaults()[key]
    return default.amount, default.unit


def defaults() -> dict[str, TimerDefault]:
    """Every timer's default: core's own (DEFAULT_TIMERS) and those the apps declare (xieshang.core.registry)."""
    from . import registry

    return {**registry.timers(), **DEFAULT_TIMERS}


def cache_key(committee_id) -> str:
    return hot_key(TIMERS, committee_id)


def _own_timers(committee_id) -> dict[str, tuple[int, str]]:
    """The committee's own timer settings, kept in the shared cache (the lists compute due dates on every
    page); `core.cache.forget(committees=…, what=TIMERS)` drops them when a service changes one."""
    from django.core.cache import cache

    from .models import TimerSetting

    own = primed_get(cache_key(committee_id))
    if own is None:
        rows = TimerSetting.objects.filter(committee_id=committee_id).values_list("key", "amount", "unit")
        own = {k: (amount, unit) for k, amount, unit in rows}
        cache.set(cache_key(committee_id), own, hot_cache_seconds())
    return own


def deadline(committee, key: str, start: datetime.date) -> datetime.date:
    amount, unit = timer(committee, key)
    return apply(committee, amount, unit, start)


def apply(committee, amount: int, unit: str, start: datetime.date) -> datetime.date:
    if isinstance(start, datetime.datetime):
        start = start.date()
    if unit == "working_days":
        return calendar.add_working_days(start, amount, committee)
    if unit == "months":
        return calendar.add_months(start, amount, committee)
    return start + datetime.timedelta(days=amount)
