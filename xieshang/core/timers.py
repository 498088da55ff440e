"""Timers: how long each step may take. Defaults from DESIGN.md; each committee may override.

`deadline(committee, key, start)` turns a timer into a due date on the working-day calendar.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from . import calendar
from .cache import hot_cache_seconds, primed_get


@dataclass(frozen=True)
class TimerDefault:
    amount: int
    unit: str  # "days" | "working_days" | "months"
    label: str


DEFAULT_TIMERS: dict[str, TimerDefault] = {
    "proposal.cosign": TimerDefault(7, "days", _("co-signing")),
    "proposal.objection": TimerDefault(5, "working_days", _("objection to an assignment")),
    "proposal.first_contact": TimerDefault(15, "working_days", _("first contact with the proposer")),
    "proposal.co_views": TimerDefault(1, "months", _("co-units' views to the lead unit")),
    "proposal.reply": TimerDefault(3, "months", _("reply from assignment")),
    "proposal.extension_max": TimerDefault(6, "months", _("longest extension of the reply")),
    "proposal.evaluation": TimerDefault(15, "working_days", _("proposer's evaluation")),
    "proposal.rehandle_reply": TimerDefault(3, "months", _("reply after re-handling")),
    "proposal.remind_before": TimerDefault(5, "working_days", _("reminder before a deadline")),
    "consultation.notice": TimerDefault(15, "working_days", _("consultation notice ahead")),
    "consultation.materials": TimerDefault(10, "working_days", _("consultation materials ahead")),
    "consultation.minutes": TimerDefault(7, "working_days", _("minutes to the Party committee")),
    "demand.answer": TimerDefault(15, "working_days", _("answer to a citizen's demand")),
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
    default = DEFAULT_TIMERS[key]
    return default.amount, default.unit


def cache_key(committee_id) -> str:
    return f"xieshang:timers:{committee_id}"


def _own_timers(committee_id) -> dict[str, tuple[int, str]]:
    """The committee's own timer settings, kept in the shared cache (the lists compute due dates on every
    page); `forget` drops them when a service changes one."""
    from django.core.cache import cache

    from .models import TimerSetting

    own = primed_get(cache_key(committee_id))
    if own is None:
        rows = TimerSetting.objects.filter(committee_id=committee_id).values_list("key", "amount", "unit")
        own = {k: (amount, unit) for k, amount, unit in rows}
        cache.set(cache_key(committee_id), own, hot_cache_seconds())
    return own


def forget(committee_id) -> None:
    """A timer of this committee changed: forget the cached settings now and after the commit."""
    from django.core.cache import cache
    from django.db import transaction

    from .cache import unprime

    key = cache_key(committee_id)
    unprime([key])
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


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
