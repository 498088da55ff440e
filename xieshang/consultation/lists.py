"""The meeting list, defined once (xieshang.core.lists.ListDef: the page's table head, sorts, page sizes and its
Excel export read the same definition)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from xieshang.core import search
from xieshang.core.formats import cn_date
from xieshang.core.lists import Column, Filter, Layout, ListDef, sorts_both_ways

_COLUMNS = (
    Column("start_on", _("First day"), sort="start_on", value=lambda m, labels: cn_date(m.start_on)),
    Column("title", _("Title"), sort="title", value=lambda m, labels: m.title),
    Column("kind", _("Kind"), sort="kind", value=lambda m, labels: m.get_kind_display()),
    Column("form", _("Form of consultation"), value=lambda m, labels: m.get_form_display() if m.form else ""),
    Column("half_days", _("Half-days"), numeric=True, value=lambda m, labels: m.half_days),
    Column("place", _("Place"), value=lambda m, labels: m.place),
    Column("state", _("State"), sort="state", value=lambda m, labels: m.get_state_display()),
    Column("invited", _("Invited"), numeric=True, value=lambda m, labels: m.n_invited),
    Column("present", _("Present"), numeric=True, value=lambda m, labels: m.n_present),
    Column("leave", _("On leave"), numeric=True, value=lambda m, labels: m.n_leave),
    Column("absent", _("Absent"), numeric=True, value=lambda m, labels: m.n_absent),
)

MEETINGS = ListDef(
    name="meetings",
    columns=_COLUMNS,
    sorts=sorts_both_ways(("start_on", _("First day"), ("start_on",)), ("title", _("Title"), ("title",)),
                 ("kind", _("Kind"), ("kind", "form")), ("state", _("State"), ("state",))),
    default_sort="-start_on",
    filters=(Filter("q", _("Search"), "text"), Filter("year", _("Year"), "int"), Filter("kind", _("Kind"), "choice"),
             Filter("form", _("Form of consultation"), "choice"), Filter("state", _("State"), "choice")),
    layouts={
        "page": Layout(("start_on", "title", "kind", "state", "present", "leave", "absent")),
        "export": Layout(tuple(c.key for c in _COLUMNS), title=_("Meetings")),
    },
    default_page_size=20,
)


def filter_meetings(qs, params: dict):
    if params.get("q"):  # the search index (kind "meeting": title, notice, minutes, place), inside `qs`
        qs = search.filter_by_text(qs, "meeting", params["q"])
    for key in ("year", "kind", "form", "state"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    return qs
