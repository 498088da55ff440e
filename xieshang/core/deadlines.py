"""Deadlines in core: one `Deadline` row per (object, kind, party), one reminder job for every kind.

Apps declare their kinds (`Declarations.deadline_kinds`, a tuple of `DeadlineKind`); core knows none.
A kind names the timer that gives its due date on the working-day calendar (`xieshang.core.timers`),
who is reminded (`recipients`), where the reminder points (`url`) and how the reminders go out.

Services (called by the apps' own services, inside their transaction; the app's action records the
audit event, so these record none):

    deadline_open(obj=…, kind=…, party="", start=None, due_on=None)   # (re)starts it: open, reminders anew
    deadline_extend(obj=…, kind=…, party="", due_on=…)                # moves the due date: "extended"
    deadline_meet(obj=…, kind=…, party="", on=None)                    # done: "met"
    deadline_waive(obj=…, kind=…, party="")                            # no longer owed: "waived"

States: open and extended are both *open* (still owed, reminded, can be overdue); extended only says
that the due date is no longer the original one. Met and waived are closed and never reminded.

Selectors: `deadlines_of(obj)`, `due_soon(deadline_or_due_on, committee, today=None)` — the one
definition of "due soon": from the remind-before timer (`deadline.remind_before`, or the kind's
`remind_timer`) ahead of the due date until the due date — and `is_overdue`.

The job `run_reminders(today=None, kinds=None)` (scheduler job "core.deadlines"): for each open deadline
within reach, at most one reminder per stage — "before" (once, from the remind-before day), "due" (on
the day, for kinds with `on_the_day`), "overdue" (once, or every `overdue_every` days) — recorded in
`last_reminded_on` so that no run sends it twice; each notification also carries a dedupe key, so two
copies of the job running at once send nothing twice. Time comes from `xieshang.core.clock`.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from . import calendar, clock, registry, timers
from .notices import Notice

log = logging.getLogger(__name__)

REMIND_TIMER = "deadline.remind_before"
STAGES = ("before", "due", "overdue")

DEFAULT_MESSAGES = {
    "before": _("%(kind)s due on %(date)s: %(title)s"),
    "due": _("%(kind)s due today: %(title)s"),
    "overdue": _("%(kind)s overdue since %(date)s: %(title)s"),
}


@dataclasses.dataclass(frozen=True)
class DeadlineKind:
    """What an app declares for one kind of deadline. Dotted paths are imported when first needed."""

    name: str  # "proposal.reply", "opinion.edit" …
    label: Any  # shown to people ("reply", "editing" …)
    timer: str  # timer key that gives the due date from the start (xieshang.core.timers)
    remind: bool = True  # one reminder from the remind-before day on
    overdue_notice: bool = True  # a notice once the due date has passed
    recipients: str = ""  # fn(deadline) -> iterable of users
    url: str = ""  # fn(deadline) -> str
    # --- optional -------------------------------------------------------------------------------
    remind_timer: str = REMIND_TIMER  # how long ahead the reminder goes out (and "due soon" starts)
    on_the_day: bool = False  # a notice of its own on the due date (else the reminder window includes it)
    overdue_every: int = 0  # days between overdue notices; 0: one overdue notice
    messages: dict = dataclasses.field(default_factory=dict)  # stage -> text with %(title)s, %(date)s, %(kind)s
    notification_kind: str = ""  # the Notification.kind; "{stage}" is replaced; default "<name>.<stage>"
    subject: str = ""  # fn(deadline) -> text for %(title)s (default: str(deadline.target))
    # fn(list of deadlines) -> list of deadlines: loads in bulk what recipients/url/subject read (so the
    # job makes a fixed number of queries) and leaves out the rows that owe nothing after all.
    prepare: str = ""
    dedupe_key: str = ""  # fn(deadline, stage, key_date) -> str (default: "deadline:<id>:<stage>:<date>")
    on_reminded: str = ""  # fn(deadline, stage, today), in the reminder's transaction (e.g. copy the date)
    # fn() run once before the reminders: brings the rows up to date with the app's data (writes that
    # bypassed the app's services, such as bulk loads); returns anything.
    refresh: str = ""

    def message(self, stage: str):
        return self.messages.get(stage) or DEFAULT_MESSAGES[stage]

    def notification_kind_for(self, stage: str) -> str:
        return (self.notification_kind or f"{self.name}.{{stage}}").replace("{stage}", stage)


@functools.lru_cache(maxsize=None)
def _fn(path: str):
    return import_string(path)


def kinds() -> dict[str, DeadlineKind]:
    return registry.deadline_kinds()


def kind_of(name: str) -> DeadlineKind:
    try:
        return kinds()[name]
    except KeyError:
        raise LookupError(f"no app declares the deadline kind {name!r}") from None


# --- Services -----------------------------------------------------------------------------------


def _model():
    from .models import Deadline

    return Deadline


def _where(obj, kind: str, party: str) -> dict:
    kind_of(kind)
    return {"content_type": ContentType.objects.get_for_model(obj), "object_id": obj.pk, "kind": kind, "party": party or ""}


def _committee_id(obj, committee=None):
    if committee is not None:
        return getattr(committee, "pk", committee)
    cid = getattr(obj, "committee_id", None)
    if cid is None:
        raise ValueError(f"{obj!r} has no committee; pass committee=")
    return cid


def deadline_open(*, obj, kind: str, party: str = "", start: datetime.date | None = None,
                  due_on: datetime.date | None = None, committee=None):
    """Start the deadline `kind` of `obj` (owed by `party`): due on `due_on`, else the kind's timer
    counted from `start` (default: today) on the working-day calendar. Idempotent: an existing row
    is started again (open, original due date = due date, no reminder sent yet)."""
    Deadline = _model()
    k = kind_of(kind)
    cid = _committee_id(obj, committee)
    if due_on is None:
        due_on = timers.deadline(cid, k.timer, start or clock.today())
    row, _created = Deadline.objects.update_or_create(
        **_where(obj, kind, party),
        defaults={"committee_id": cid, "due_on": due_on, "original_due_on": due_on, "state": Deadline.State.OPEN,
                  "last_reminded_on": None, "overdue_notified_on": None, "met_on": None},
    )
    return row


def _locked(obj, kind: str, party: str):
    return _model().objects.select_for_update().filter(**_where(obj, kind, party)).first()


@transaction.atomic
def deadline_extend(*, obj, kind: str, party: str = "", due_on: datetime.date):
    """Move the due date (an extension, or a correction): the row is "extended" while the due date differs
    from the original one, and its reminders start anew. Raises Deadline.DoesNotExist without a row."""
    Deadline = _model()
    row = _locked(obj, kind, party)
    if row is None:
        raise Deadline.DoesNotExist(f"no deadline {kind} {party} for {obj!r}")
    if row.due_on != due_on or not row.is_open:
        row.due_on = due_on
        row.state = Deadline.State.OPEN if due_on == row.original_due_on else Deadline.State.EXTENDED
        row.last_reminded_on = row.overdue_notified_on = row.met_on = None
        row.save(update_fields=["due_on", "state", "last_reminded_on", "overdue_notified_on", "met_on"])
    return row


@transaction.atomic
def deadline_meet(*, obj, kind: str, party: str = "", on: datetime.date | None = None):
    """The party did what was due (on `on`, default today). None when the deadline never ran."""
    Deadline = _model()
    row = _locked(obj, kind, party)
    if row is not None and row.state != Deadline.State.MET:
        row.state, row.met_on = Deadline.State.MET, on or clock.today()
        row.save(update_fields=["state", "met_on"])
    return row


@transaction.atomic
def deadline_waive(*, obj, kind: str, party: str = ""):
    """The deadline is no longer owed (the work was cancelled, moved elsewhere …). None without a row."""
    Deadline = _model()
    row = _locked(obj, kind, party)
    if row is not None and row.state != Deadline.State.WAIVED:
        row.state, row.met_on = Deadline.State.WAIVED, None
        row.save(update_fields=["state", "met_on"])
    return row


@dataclasses.dataclass(frozen=True)
class Want:
    """What one deadline of an object should be now (for `deadlines_reconcile`); state "open", "met" or "waived"."""

    kind: str
    party: str
    due_on: datetime.date
    original_due_on: datetime.date | None = None
    state: str = "open"


def deadlines_reconcile(*, model, wanted: dict, kinds: Iterable[str]) -> int:
    """Open, extend, meet and waive in bulk so that the deadlines (of `kinds`) of objects of `model` are
    what `wanted` says: {object id: (committee id, [Want, …])}. A deadline that should be open gets a row
    (open, or extended when its due date is not the original one; a new due date starts its reminders
    anew); one that should be met or waived is marked so (a missing row is not created: it never ran);
    an open row `wanted` does not mention is waived. Three queries at most; returns how many rows changed.
    For an app that derives its deadlines from its own data (proposals: `proposals.deadlines.sync_proposals`)."""
    Deadline = _model()
    S = Deadline.State
    kinds = list(kinds)
    for name in kinds:
        kind_of(name)
    if not wanted:
        return 0
    ct = ContentType.objects.get_for_model(model)
    existing = {
        (r.object_id, r.kind, r.party): r
        for r in Deadline.objects.filter(content_type=ct, object_id__in=list(wanted), kind__in=kinds)
    }
    by_object: dict[int, list] = {}
    for key in existing:
        by_object.setdefault(key[0], []).append(key)
    today = clock.today()
    create, update = [], {}
    for oid, (committee_id, wants) in wanted.items():
        seen = set()
        for w in wants:
            key = (oid, w.kind, w.party or "")
            seen.add(key)
            row = existing.get(key)
            original = w.original_due_on or w.due_on
            if w.state == "open":
                state = S.OPEN if w.due_on == original else S.EXTENDED
                if row is None:
                    create.append(Deadline(committee_id=committee_id, content_type=ct, object_id=oid, kind=w.kind,
                                           party=w.party or "", due_on=w.due_on, original_due_on=original, state=state))
                elif (row.due_on, row.original_due_on, row.state) != (w.due_on, original, state):
                    if row.due_on != w.due_on:
                        row.last_reminded_on = row.overdue_notified_on = None
                    row.due_on, row.original_due_on, row.state, row.met_on = w.due_on, original, state, None
                    update[row.pk] = row
            elif w.state in (S.MET, S.WAIVED):
                if row is not None and row.state != w.state:
                    row.state, row.met_on = w.state, today if w.state == S.MET else None
                    update[row.pk] = row
            else:
                raise ValueError(f"unknown deadline state {w.state!r}")
        for key in by_object.get(oid, ()):
            row = existing[key]
            if key not in seen and row.is_open:
                row.state, row.met_on = S.WAIVED, None
                update[row.pk] = row
    if create:
        Deadline.objects.bulk_create(create, ignore_conflicts=True)  # a concurrent copy may have made it
    if update:
        Deadline.objects.bulk_update(
            list(update.values()),
            ["due_on", "original_due_on", "state", "met_on", "last_reminded_on", "overdue_notified_on"],
        )
    return len(create) + len(update)


# --- Selectors ----------------------------------------------------------------------------------


def deadlines_of(obj):
    """Every deadline of `obj` (all kinds and parties, open or not), soonest first."""
    return _model().objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk).order_by("due_on", "id")


def remind_before(committee, remind_timer: str = REMIND_TIMER) -> tuple[int, str]:
    """The committee's (amount, unit) of the remind-before timer (read it once for a page of rows)."""
    return timers.timer(committee, remind_timer)


def reminder_date(committee, due_on: datetime.date, remind_timer: str = REMIND_TIMER, *, remind=None) -> datetime.date:
    """The day "due soon" starts for a deadline due on `due_on`: the remind-before timer ahead of it."""
    amount, unit = remind or remind_before(committee, remind_timer)
    return timers.apply(committee, -amount, unit, due_on)


def _parts(deadline_or_due_on, committee, remind_timer):
    if isinstance(deadline_or_due_on, datetime.date):
        return deadline_or_due_on, committee, remind_timer or REMIND_TIMER, True
    d = deadline_or_due_on
    kind = kinds().get(d.kind)
    timer = remind_timer or (kind.remind_timer if kind else REMIND_TIMER)
    return d.due_on, committee if committee is not None else d.committee_id, timer, d.is_open


def due_soon(deadline_or_due_on, committee=None, today: datetime.date | None = None, *,
             remind_timer: str | None = None, remind: tuple[int, str] | None = None) -> bool:
    """The one definition of "due soon": an open deadline from its reminder date (the committee's
    remind-before timer ahead of the due date, on the working-day calendar) up to and including the due
    date. Takes a Deadline, or a due date with its committee; `remind` passes a timer read once per page."""
    due, committee, timer, open_ = _parts(deadline_or_due_on, committee, remind_timer)
    if not open_:
        return False
    today = today or clock.today()
    return reminder_date(committee, due, timer, remind=remind) <= today <= due


def due_soon_until(committee, today: datetime.date | None = None, remind_timer: str = REMIND_TIMER, *,
                   remind: tuple[int, str] | None = None) -> datetime.date:
    """The last due date that counts as "due soon" today — for a list filter `due_on__range=(today, this)`;
    the same rule as `due_soon` (a due date is due soon exactly when today <= it <= this day)."""
    today = today or clock.today()
    remind = remind or remind_before(committee, remind_timer)
    last = timers.apply(committee, remind[0], remind[1], today)  # a first guess, then exactly by the rule
    one = datetime.timedelta(days=1)
    while reminder_date(committee, last + one, remind=remind) <= today:
        last += one
    while last > today and reminder_date(committee, last, remind=remind) > today:
        last -= one
    return last


def is_overdue(deadline_or_due_on, today: datetime.date | None = None) -> bool:
    """An open deadline whose due date has passed (the due date itself is not overdue)."""
    due, _c, _t, open_ = _parts(deadline_or_due_on, None, None)
    return open_ and (today or clock.today()) > due


def working_days_left(deadline, today: datetime.date | None = None) -> int:
    """Working days from today to the due date (negative when overdue)."""
    return calendar.working_days_between(today or clock.today(), deadline.due_on, deadline.committee_id)


# --- The reminder job ----------------------------------------------------------------------------


def stage_due(deadline, kind: DeadlineKind, today: datetime.date, remind: tuple[int, str]):
    """Which notice (stage, key date) is due today for `deadline`, or None (see the module's docstring)."""
    due, last = deadline.due_on, deadline.last_reminded_on
    if today > due:
        if not kind.overdue_notice:
            return None
        start = due + datetime.timedelta(days=1)
        if kind.overdue_every:
            start += datetime.timedelta(days=kind.overdue_every * ((today - start).days // kind.overdue_every))
        return ("overdue", start) if last is None or last < start else None
    if today == due and kind.on_the_day:
        return ("due", due) if last is None or last < due else None
    if not kind.remind:
        return None
    begins = reminder_date(deadline.committee_id, due, kind.remind_timer, remind=remind)
    if begins <= today and (last is None or last < begins):
        return "before", due
    return None


def _horizon(today: datetime.date, remind_timers: Iterable[str]) -> datetime.date:
    """No reminder is due today for a deadline due after this day, whatever the committees' timers say."""
    from .models import TimerSetting

    remind_timers = set(remind_timers)
    defaults = timers.defaults()
    spans = [(defaults[t].amount, defaults[t].unit) if t in defaults else (5, "working_days") for t in remind_timers]
    spans += list(TimerSetting.objects.filter(key__in=remind_timers).values_list("amount", "unit"))
    days = 0
    for amount, unit in spans:
        days = max(days, {"working_days": amount * 3 + 30, "months": amount * 31 + 15}.get(unit, amount + 1))
    return today + datetime.timedelta(days=days)


def _default_dedupe(deadline, stage: str, key_date: datetime.date) -> str:
    return f"deadline:{deadline.pk}:{stage}:{key_date.isoformat()}"


def _subject(kind: DeadlineKind, deadline) -> str:
    if kind.subject:
        return str(_fn(kind.subject)(deadline))
    return str(deadline.target)


def run_reminders(today: datetime.date | None = None, kinds: Iterable[str] | None = None) -> dict[str, int]:
    """Send the reminders and overdue notices due today for every declared kind (or only `kinds`).
    Returns {kind name: notifications sent}. Idempotent; a fixed number of queries when nothing is due."""
    from .models import Deadline, Notification
    from .services import notify

    today = today or clock.today()
    only = None if kinds is None else set(kinds)
    chosen = [k for name, k in registry.deadline_kinds().items()
              if (only is None or name in only) and (k.remind or k.overdue_notice)]
    sent = {k.name: 0 for k in chosen}
    if not chosen:
        return sent
    for path in dict.fromkeys(k.refresh for k in chosen if k.refresh):
        _fn(path)()
    by_name = {k.name: k for k in chosen}
    rows = list(
        Deadline.objects.filter(
            state__in=(Deadline.State.OPEN, Deadline.State.EXTENDED), kind__in=list(by_name),
            due_on__lte=_horizon(today, {k.remind_timer for k in chosen}),
        ).select_related("committee").order_by("id")
    )
    remind_of: dict[tuple[int, str], tuple[int, str]] = {}
    due_now: dict[str, list] = {}
    with calendar.pinned():
        for d in rows:
            k = by_name[d.kind]
            key = (d.committee_id, k.remind_timer)
            if key not in remind_of:
                remind_of[key] = remind_before(d.committee_id, k.remind_timer)
            found = stage_due(d, k, today, remind_of[key])
            if found is not None:
                d.stage, d.key_date = found
                due_now.setdefault(d.kind, []).append(d)
    if not due_now:
        return sent
    items = []
    for name, group in due_now.items():
        k = by_name[name]
        if k.prepare:
            group = list(_fn(k.prepare)(group))
        dedupe = _fn(k.dedupe_key) if k.dedupe_key else _default_dedupe
        for d in group:
            items.append((k, d, dedupe(d, d.stage, d.key_date)))
    already = set(
        Notification.objects.filter(dedupe_key__in=[key for _k, _d, key in items]).values_list("dedupe_key", "recipient_id")
    )
    for k, d, key in items:
        everyone = [u for u in (_fn(k.recipients)(d) if k.recipients else []) if u is not None and u.is_active]
        if not everyone:
            continue  # nobody to tell yet: asked again at the next run
        recipients = [u for u in everyone if (key, u.pk) not in already]
        # rendered for each recipient in their language, the date as core.formats writes it (core.notices)
        title = Notice(k.message(d.stage), kind=k.label, date=d.due_on, title=_subject(k, d))
        with transaction.atomic():
            created = notify(
                recipients=recipients, kind=k.notification_kind_for(d.stage), title=title,
                url=_fn(k.url)(d) if k.url else "", committee=d.committee, dedupe_key=key,
            ) if recipients else []
            fields = {"last_reminded_on": today}
            if d.stage == "overdue":
                fields["overdue_notified_on"] = today
            Deadline.objects.filter(pk=d.pk).update(**fields)
            if created and k.on_reminded:
                _fn(k.on_reminded)(d, d.stage, today)
        sent[k.name] += len(created)
    return sent
