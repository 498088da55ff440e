"""What the text engine learns from and searches: a committee's own proposals, opinion reports and demands.

One `Source` per kind says, in one place, how its rows are read:

    rows(committee)            labelled rows for training: {"title", "body", "category", "unit"} — unit: the
                               ids of the handling units chosen for it ("12、15", lead first), "" when none
    items(committee, ...)      (key, title, body) of every item the similar-item search holds (all years)
    changed_since(...)         the same for items written after the index's mark (kept current at query time)
    visible(user, committee, ids)   the ids among `ids` the user may see (the apps' own selectors)
    details(user, objs)        what the panel and the API show of each visible item

Categories are read through the models' `category` field as stored (a code today; a row of the per-committee
table tomorrow: `category_value` takes its code), labels through the field's choices when it has them.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass

from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import engine

KINDS = ("proposal", "opinion", "demand")
KIND_LABELS = {"proposal": _("proposal"), "opinion": _("opinion report"), "demand": _("demand")}
# The kinds members may look for while drafting (demands carry citizens' words: only those who may see them).
EXCERPT_CHARS = 160


def category_value(obj) -> str:
    """The category of `obj` as a string: its code (a plain value, or the `code` of a category row)."""
    value = getattr(obj, "category", None)
    if value is None:
        return ""
    return str(getattr(value, "code", value) or "")


def category_label(model, value: str, committee=None) -> str:
    """The label of category `value`: the committee's own list when core.categories keeps one (categories as
    data), else the model field's choices, else the value itself."""
    from xieshang.core import categories

    if committee is not None and callable(getattr(categories, "label", None)):
        try:
            return str(categories.label(committee, value))
        except Exception:  # noqa: BLE001 — a label is never worth an error page
            return value
    try:
        field = model._meta.get_field("category")
    except Exception:  # noqa: BLE001 — a model without the field: the value is its own label
        return value
    return str(dict(field.flatchoices).get(value, value)) if getattr(field, "choices", None) else value


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Mark:
    """How far the index has read a kind: the latest `updated_at` (or the highest id) it holds."""

    updated: object = None
    pk: int = 0


class Source(abc.ABC):
    """One kind of a committee's history (proposals, opinion reports, demands): its rows and their text."""

    kind = ""
    model = None
    updated_field = "updated_at"  # None: items never change their text after creation (new ids only)

    @abc.abstractmethod
    def base(self, committee):
        """The committee's rows of this kind that the index holds (a queryset)."""

    @abc.abstractmethod
    def text(self, obj) -> tuple[str, str]:
        """(title, body) of one row."""

    def items(self, committee):
        return [((self.kind, o.pk), *self.text(o)) for o in self.base(committee).iterator(chunk_size=500)]

    def mark(self, committee) -> Mark:
        qs = self.base(committee)
        agg = qs.aggregate(pk=Max("pk"), **({"updated": Max(self.updated_field)} if self.updated_field else {}))
        return Mark(agg.get("updated"), agg.get("pk") or 0)

    def changed_since(self, committee, mark: Mark):
        qs = self.base(committee)
        if self.updated_field and mark.updated is not None:
            qs = qs.filter(**{f"{self.updated_field}__gt": mark.updated})
        else:
            qs = qs.filter(pk__gt=mark.pk)
        return [((self.kind, o.pk), *self.text(o)) for o in qs]

    def label(self, value, committee=None):
        return category_label(self.model, value, committee)


class ProposalSource(Source):
    kind = "proposal"

    @property
    def model(self):
        from xieshang.proposals.models import Proposal

        return Proposal

    def base(self, committee):
        return self.model.objects.filter(committee=committee).exclude(state="draft").only("id", "title", "body", "updated_at")

    def text(self, obj):
        return obj.title, obj.body

    def rows(self, committee):
        from xieshang.proposals.models import PROPOSAL_HANDLED, Assignment

        units = {}
        order = {"sole": 0, "lead": 1, "split": 2, "co": 3}
        for pid, uid, role in (Assignment.objects.filter(proposal__committee=committee)
                               .exclude(state="cancelled").values_list("proposal_id", "unit_id", "role")):
            units.setdefault(pid, []).append((order.get(role, 4), uid))
        qs = self.model.objects.filter(committee=committee, state__in=list(PROPOSAL_HANDLED) + ["merged", "converted"])
        return [{"title": p.title, "body": p.body, "category": category_value(p),
                 "unit": engine.UNIT_SEPARATOR.join(str(u) for _o, u in sorted(units.get(p.pk, [])))}
                for p in qs.iterator(chunk_size=500)]

    def visible(self, user, committee, ids):
        from xieshang.proposals import selectors

        return set(selectors.proposals_visible_to(user, committee).filter(pk__in=ids).values_list("pk", flat=True))

    def details(self, user, ids):
        from xieshang.proposals import selectors
        from xieshang.proposals.models import Reply

        objs = {p.pk: p for p in self.model.objects.filter(pk__in=ids)}
        replies = {}
        for r in Reply.objects.filter(proposal_id__in=ids).select_related("assignment__unit").order_by("-round", "id"):
            replies.setdefault(r.proposal_id, []).append(r)
        out = {}
        for pk, p in objs.items():
            public_only = selectors.reads_only_as_public(user, p)
            reply = next((r for r in replies.get(pk, []) if r.is_public or not public_only), None)
            out[pk] = {
                "number": p.number or "", "title": p.title, "state": p.state, "state_label": str(p.get_state_display()),
                "url": reverse("proposals:detail", args=[pk]), "year": p.created_at.year,
                "category": self.label(category_value(p), p.committee_id),
                "reply": excerpt(reply.text) if reply else "", "reply_unit": str(reply.assignment.unit) if reply else "",
                "mergeable": p.state in ("submitted", "registered"),  # what merge accepts as a target
            }
        return out


class OpinionSource(Source):
    kind = "opinion"

    @property
    def model(self):
        from xieshang.opinions.models import OpinionReport

        return OpinionReport

    def base(self, committee):
        return self.model.objects.filter(committee=committee, submitted_at__isnull=False).only(
            "id", "title", "situation", "analysis", "suggestion", "updated_at")

    def text(self, obj):
        return obj.title, "\n".join(x for x in (obj.situation, obj.analysis, obj.suggestion) if x)

    def rows(self, committee):
        return [{"title": o.title, "body": self.text(o)[1], "category": category_value(o), "unit": ""}
                for o in self.model.objects.filter(committee=committee, submitted_at__isnull=False).iterator(chunk_size=500)]

    def visible(self, user, committee, ids):
        from xieshang.opinions import selectors

        return set(selectors.opinions_visible_to(user, committee).filter(pk__in=ids).values_list("pk", flat=True))

    def details(self, user, ids):
        out = {}
        for o in self.model.objects.filter(pk__in=ids):
            out[o.pk] = {"number": f"{o.year}-{o.number}" if o.number else "", "title": o.title, "state": o.state,
                         "state_label": str(o.get_state_display()), "url": reverse("opinions:detail", args=[o.pk]),
                         "year": o.year, "category": self.label(category_value(o), o.committee_id), "reply": "", "reply_unit": "",
                         "mergeable": False}
        return out


class DemandSource(Source):
    kind = "demand"
    updated_field = None  # a demand's text is never rewritten: new ids are all there is to add

    @property
    def model(self):
        from xieshang.grassroots.models import Demand

        return Demand

    def base(self, committee):
        return self.model.objects.filter(committee=committee).only("id", "text")

    def text(self, obj):
        return "", obj.text

    def rows(self, committee):
        return [{"title": "", "body": d.text, "category": category_value(d),
                 "unit": str(d.answered_by_unit_id or d.unit_id or "")}
                for d in self.model.objects.filter(committee=committee).exclude(state="declined").iterator(chunk_size=500)]

    def visible(self, user, committee, ids):
        from xieshang.grassroots import selectors

        return set(selectors.demands_visible_to(user, committee).filter(pk__in=ids).values_list("pk", flat=True))

    def details(self, user, ids):
        out = {}
        for d in self.model.objects.filter(pk__in=ids):
            out[d.pk] = {"number": d.tracking_code, "title": excerpt(d.text, 60), "state": d.state,
                         "state_label": str(d.get_state_display()), "url": reverse("grassroots:demand", args=[d.pk]),
                         "year": d.received_on.year, "category": self.label(category_value(d), d.committee_id),
                         "reply": excerpt(d.answer), "reply_unit": "", "mergeable": False}
        return out


SOURCES: dict[str, Source] = {s.kind: s for s in (ProposalSource(), OpinionSource(), DemandSource())}
