"""The topic list, defined once (core.lists.ListDef: the page's head, sorts, page sizes, filters and its Excel
export read the same definition)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xieshang.core import search
from xieshang.core.lists import Column, Filter, Layout, ListDef, sorts_both_ways

_COLUMNS = (
    Column("year", _("Year"), sort="year", numeric=True, value=lambda t, labels: t.year),
    Column("title", _("Title"), sort="title", value=lambda t, labels: t.title),
    Column("source", _("Submitted by"), sort="source", value=lambda t, labels: t.get_source_display()),
    Column("submitter", _("Submitter"), value=lambda t, labels: t.source_name),
    Column("form", _("Suggested form"), sort="form", value=lambda t, labels: t.get_form_display()),
    Column("sponsor", _("Sponsoring special committee"), value=lambda t, labels: t.sponsor.name if t.sponsor_id else ""),
    Column("month", _("Planned month"), sort="month", numeric=True, value=lambda t, labels: t.month or ""),
    Column("state", _("State"), sort="state", value=lambda t, labels: t.get_state_display()),
    Column("outcome", pgettext_lazy("topic", "Outcome"), value=lambda t, labels: (
        t.decline_reason or (t.merged_into.title if t.merged_into_id else "")
        or (t.meeting.start_on.isoformat() if t.meeting_id else ""))),
)

TOPICS = ListDef(
    name="consultation-topics",
    columns=_COLUMNS,
    sorts=sorts_both_ways(("year", _("Year"), ("year",)), ("title", _("Title"), ("title",)), ("month", _("Planned month"), ("month",)),
                 ("state", _("State"), ("state",)), ("form", _("Suggested form"), ("form",)),
                 ("source", _("Submitted by"), ("source",))),
    default_sort="-year",
    filters=(Filter("q", _("Search"), "text"), Filter("year", _("Year"), "int"), Filter("state", _("State"), "choice"),
             Filter("form", _("Suggested form"), "choice"), Filter("source", _("Submitted by"), "choice")),
    layouts={
        "page": Layout(("year", "title", "source", "form", "month", "state")),
        "export": Layout(tuple(c.key for c in _COLUMNS), title=_("Consultation topics")),
    },
    default_page_size=20,
)


def filter_topics(qs, params: dict):
    if params.get("q"):  # the search index (kind "topic": title, reason, who submitted it), inside `qs`
        qs = search.filter_by_text(qs, "topic", params["q"])
    for key in ("year", "state", "form", "source"):
        if params.get(key):
            qs = qs.filter(**{key: params[key]})
    return qs
