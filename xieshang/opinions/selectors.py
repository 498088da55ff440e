"""Every read of opinion reports that depends on who asks: the one permission chokepoint of the app.

A report the user may not see is "not found" (404), the same as one that does not exist.

Visibility (`opinions_visible_to`):
  staff, administrators and leaders of the committee: every report that has been submitted (a combined
           report counts as submitted when it is made), and their own drafts;
  everyone else: the reports they are an author of (a draft only to its authors). A combined report's
           authors are the authors of the reports combined into it, so each of them sees it too.
Relations (`relations_of`, the actors of workflow.TRANSITIONS): "author" (an OpinionAuthor of the report),
"staff" (office staff or administrator), "leader"; staff and leaders have none on other people's drafts.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from xieshang.core import audit, clock
from xieshang.core.errors import NotFound
from xieshang.core.models import Event, Role
from xieshang.core.screens import url_or_hash
from xieshang.core.selectors import roles_of
from xieshang.core.workflow import as_id

from . import workflow
from .models import (
    Adoption,
    Bulletin,
    Commission,
    Forwarding,
    Instruction,
    Level,
    OpinionAuthor,
    OpinionReport,
    OpinionState,
    OpinionVersion,
    Recipient,
)

S = OpinionState
OFFICE_ROLES = {Role.STAFF, Role.ADMIN}
READER_ROLES = {Role.STAFF, Role.ADMIN, Role.LEADER}

# The list sorts are the report lists' (lists.REPORT_SORTS: number, title, state, submitted, updated, created,
# each also with "-" for descending): one definition for the pages, the API, the Excel files and the exports.
DEFAULT_SORT = "-created"


def opinion_url(report) -> str:
    pk = report if isinstance(report, int) else report.pk
    url = url_or_hash("opinions:detail", pk)
    return "" if url == "#" else url


_int = as_id  # the database id a value names, or None (core.workflow)


# --- Relations and visibility -------------------------------------------------------------------------


def is_author(user, report) -> bool:
    cache = getattr(report, "_prefetched_objects_cache", {})
    if "authors" in cache:
        return any(a.user_id == user.pk for a in cache["authors"])
    return OpinionAuthor.objects.filter(report_id=report.pk, user_id=user.pk).exists()


def relations_of(user, report) -> set[str]:
    """How `user` stands to `report`: a subset of {"author", "staff", "leader"}; None (the scheduler) is {"system"}."""
    if user is None:
        return {"system"}
    if not getattr(user, "is_authenticated", False):
        return set()
    relations: set[str] = set()
    own = is_author(user, report)
    if own:
        relations.add("author")
    if report.submitted_at is not None or own:
        roles = roles_of(user, report.committee_id)
        if roles & OFFICE_ROLES:
            relations.add("staff")
        if Role.LEADER in roles:
            relations.add("leader")
    return relations


def _own_q(user) -> Q:
    return Q(pk__in=OpinionAuthor.objects.filter(user=user).values("report_id"))


def _visibility_q(user, committee) -> Q | None:
    if not getattr(user, "is_authenticated", False):
        return None
    own = _own_q(user)
    if roles_of(user, committee) & READER_ROLES:
        return Q(submitted_at__isnull=False) | own
    return own


def can_see(user, report) -> bool:
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if report.submitted_at is not None and roles_of(user, report.committee_id) & READER_ROLES:
        return True
    return is_author(user, report)


def opinions_visible_to(user, committee) -> QuerySet[OpinionReport]:
    qs = OpinionReport.objects.filter(committee=committee)
    q = _visibility_q(user, committee)
    return qs.filter(q) if q is not None else qs.none()


def opinions_of(user, committee) -> QuerySet[OpinionReport]:
    """The user's own reports (an author of them), newest first."""
    if not getattr(user, "is_authenticated", False):
        return OpinionReport.objects.none()
    return OpinionReport.objects.filter(committee=committee).filter(_own_q(user)).order_by("-created_at", "-id")


def is_office(user, committee) -> bool:
    return bool(roles_of(user, committee) & OFFICE_ROLES)


def is_leader(user, committee) -> bool:
    return Role.LEADER in roles_of(user, committee)


# --- Lists ---------------------------------------------------------------------------------------------


def _authors_prefetch() -> Prefetch:
    return Prefetch("authors", queryset=OpinionAuthor.objects.select_related("member", "user").order_by("order", "id"))


def with_list_data(qs: QuerySet[OpinionReport]) -> QuerySet[OpinionReport]:
    """What a list row shows (submitter names, organisation, commission, bulletin): one query more per page."""
    return qs.select_related("organization", "special_committee", "commission", "bulletin").prefetch_related(
        _authors_prefetch()
    )


def order(qs, sort: str | None):
    """`qs` in the report lists' sort named `sort` (lists.REPORT_SORTS); the newest first when unknown."""
    from .lists import REPORT_SORTS

    by_key = {s.key: s for s in REPORT_SORTS}
    return (by_key.get((sort or "").strip()) or by_key[DEFAULT_SORT]).apply(qs)


def opinion_list(user, committee, *, state=None, group=None, year=None, q=None, submitter=None, commission=None,
                 mine: bool = False, sort=None) -> QuerySet[OpinionReport]:
    """The visible reports filtered and sorted (the pages, the API and the exports).

    state: a state or a list of states; group: a key of workflow.GROUPS; year: the report's year;
    q: text search (title, text, number, submitters' names); submitter: a Member id (one of the authors);
    commission: a Commission id; mine: only the user's own reports."""
    qs = opinions_of(user, committee) if mine else opinions_visible_to(user, committee)
    if state:
        states = [state] if isinstance(state, str) else list(state)
        qs = qs.filter(state__in=states)
    if group:
        qs = qs.filter(state__in=workflow.GROUPS.get(group, ()))
    if year:
        qs = qs.filter(year=year)
    if submitter:
        qs = qs.filter(pk__in=OpinionAuthor.objects.filter(member_id=submitter).values("report_id"))
    if commission:
        qs = qs.filter(commission_id=commission)
    if q and str(q).strip():
        from xieshang.core import search

        qs = search.filter_by_text(qs, "opinion", str(q)[: search.MAX_QUERY], committee=committee)
    return order(qs, sort)


def approval_queue(user, committee) -> QuerySet[OpinionReport]:
    """Reports awaiting a leader's approval (签发), oldest first; nothing for anyone but a leader."""
    if not is_leader(user, committee):
        return OpinionReport.objects.none()
    return opinions_visible_to(user, committee).filter(state=S.AWAITING_APPROVAL).order_by("updated_at", "id")


def office_inbox(user, committee, group: str = "in_office") -> QuerySet[OpinionReport]:
    if not is_office(user, committee):
        return OpinionReport.objects.none()
    return opinions_visible_to(user, committee).filter(state__in=workflow.GROUPS[group]).order_by("submitted_at", "id")


# --- One report ----------------------------------------------------------------------------------------


def opinion_get(user, pk, committee=None) -> OpinionReport:
    """The report with what its detail shows — authors, versions, forwardings (with recipients and bulletin),
    adoptions, instructions, the reports combined into it — in a fixed number of queries; NotFound when
    `user` may not see it (or it is not of `committee`, when given)."""
    pk = _int(pk)
    if pk is None:
        raise NotFound()
    qs = OpinionReport.objects.select_related(
        "committee", "organization", "special_committee", "liaison_station", "commission", "combined_into", "bulletin",
        "editing_by", "approved_by", "member",
    ).prefetch_related(
        _authors_prefetch(),
        Prefetch("versions", queryset=OpinionVersion.objects.select_related("edited_by").order_by("number")),
        Prefetch("forwardings", queryset=Forwarding.objects.select_related("recipient", "bulletin").order_by(
            "recipient__sort_order", "recipient_id")),
        Prefetch("adoptions", queryset=Adoption.objects.select_related("recipient").order_by("adopted_on", "id")),
        Prefetch("instructions", queryset=Instruction.objects.order_by("date", "id")),
        Prefetch("combined_reports", queryset=OpinionReport.objects.order_by("id").only(
            "id", "title", "year", "number", "committee_id", "combined_into_id", "state")),
    )
    if committee is not None:
        qs = qs.filter(committee=committee)
    report = qs.filter(pk=pk).first()
    if report is None or not can_see(user, report):
        raise NotFound()
    return report


def available_actions(user, report) -> list:
    """The transitions `user` may carry out now (core Machine.available): the buttons and the API's list."""
    from .services import MACHINE

    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return MACHINE.available(user, report)


def versions_of(user, report) -> list[OpinionVersion]:
    """The kept texts, oldest first (the submitter sees them, and the edited text)."""
    if not can_see(user, report):
        raise NotFound()
    cache = getattr(report, "_prefetched_objects_cache", {})
    if "versions" in cache:
        return list(cache["versions"])
    return list(report.versions.select_related("edited_by").order_by("number"))


def state_label(state: str) -> str:
    """The translated name of a state ("" for none; the code itself for an unknown one)."""
    if not state:
        return ""
    return str(S(state).label) if state in S.values else state


def timeline_of(user, report) -> list[Event]:
    """The report's audit events, oldest first, each with a `label` and `from_label` / `to_label`."""
    if not can_see(user, report):
        raise NotFound()
    events = list(audit.timeline(report))
    for event in events:
        event.label = event_label(event.action) or event.action
        event.from_label = state_label(event.from_state)
        event.to_label = state_label(event.to_state)
    return events


def _recipient_label(payload) -> str:
    names = payload.get("recipients") or []
    return "、".join(names) if isinstance(names, list) else str(names)


def outcome_text(action: str, payload: dict, level_labels=None) -> str:
    """The words a submitter reads for one outcome (件件有回音)."""
    levels = level_labels or dict(Level.choices)
    if action in ("return", "decline", "send_back"):
        return payload.get("reason", "")
    if action == "combine":
        return _("Combined into “%(title)s”.") % {"title": payload.get("into_title", "")}
    if action == "forward":
        return _("Forwarded to %(recipients)s in %(bulletin)s.") % {
            "recipients": _recipient_label(payload), "bulletin": payload.get("bulletin", ""),
        }
    if action == "record_adoption":
        return _("Adopted by %(recipient)s (%(level)s).") % {
            "recipient": payload.get("recipient", ""), "level": str(levels.get(payload.get("level"), "")),
        }
    if action == "record_instruction":
        return _("Instruction by %(leader)s (%(level)s): %(text)s") % {
            "leader": payload.get("leader", ""), "level": str(levels.get(payload.get("level"), "")),
            "text": payload.get("text", ""),
        }
    return ""


def outcomes_of(user, report) -> list[dict]:
    """What became of the report (件件有回音), oldest first: returned, edited, combined, declined, approved,
    forwarded, adopted (with level), instructions — of the report itself and, once it was combined, of the
    combined report (and of the one that went into, if combined again). One query (plus one per combination).
    Each: {"action", "label", "at", "text", "report_id"}."""
    if not can_see(user, report):
        raise NotFound()
    from django.contrib.contenttypes.models import ContentType

    ids = [str(report.pk)]
    into = report.combined_into_id
    while into and len(ids) < 6:  # a combined report may itself have been combined again
        ids.append(str(into))
        into = OpinionReport.objects.filter(pk=into).values_list("combined_into_id", flat=True).first()
    content_type = ContentType.objects.get_for_model(OpinionReport)
    events = (
        Event.objects.filter(content_type=content_type, object_id__in=ids, action__in=[
            f"opinion.{a}" for a in workflow.OUTCOME_ACTIONS])
        .order_by("created_at", "id")
    )
    labels = {t.action: t.label for t in workflow.TRANSITIONS}
    out = []
    seen_edit: set[str] = set()
    for event in events:
        action = event.action.split(".", 1)[1]
        if action == "edit":  # told once per report: "edited by the office"
            if event.object_id in seen_edit:
                continue
            seen_edit.add(event.object_id)
        out.append({
            "action": action, "label": str(labels.get(action, action)), "at": event.created_at,
            "text": outcome_text(action, event.payload or {}), "report_id": int(event.object_id),
        })
    return out


def event_label(action: str):
    """The timeline label of an "opinion.<action>" event (Declarations.event_labels)."""
    name = action.split(".", 1)[1] if "." in action else action
    t = workflow.BY_ACTION.get(name)
    if t is not None:
        return t.label
    return {"create": _("drafted"), "create_combined": _("combined report made")}.get(name)


# --- Recipients, bulletins, commissions ----------------------------------------------------------------


def recipients_of(committee, *, active_only: bool = True) -> QuerySet[Recipient]:
    qs = Recipient.objects.filter(committee=committee)
    if active_only:
        qs = qs.filter(is_active=True)
    return qs.order_by("sort_order", "id")


def recipients_for_office(user, committee) -> QuerySet[Recipient]:
    """The committee's recipients, active or not, with how many forwardings, adoptions and bulletin issues
    use each (the office's recipients page; staff and administrators only, others see nothing)."""
    if user is None or not roles_of(user, committee) & OFFICE_ROLES:
        return Recipient.objects.none()
    from django.db.models import IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    def counted(qs):  # one correlated count per row (no join product of the three relations)
        sub = qs.filter(recipient=OuterRef("pk")).order_by().values("recipient").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))

    through = Bulletin.recipients.through
    return (Recipient.objects.filter(committee=committee)
            .annotate(forwarding_count=counted(Forwarding.objects), adoption_count=counted(Adoption.objects),
                      bulletin_count=counted(through.objects))
            .order_by("-is_active", "sort_order", "id"))


def recipient_for_office(user, pk, *, committee) -> Recipient:
    """One recipient of the committee for the office, with its use counts; hidden or missing → NotFound."""
    row = recipients_for_office(user, committee).filter(pk=_int(pk) or 0).first()
    if row is None:
        raise NotFound()
    return row


def bulletins_of(user, committee, *, year=None) -> QuerySet[Bulletin]:
    """The bulletin issues (office and leaders), newest first, with their report counts."""
    if not roles_of(user, committee) & READER_ROLES:
        return Bulletin.objects.none()
    qs = Bulletin.objects.filter(committee=committee)
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(report_count=Count("reports", distinct=True)).order_by("-year", "-number")


def bulletin_get(user, pk, committee=None) -> Bulletin:
    pk = _int(pk)
    if pk is None:
        raise NotFound()
    qs = Bulletin.objects.select_related("committee", "signed_by").prefetch_related(
        Prefetch("reports", queryset=OpinionReport.objects.order_by("id").prefetch_related(_authors_prefetch())),
        Prefetch("recipients", queryset=Recipient.objects.order_by("sort_order", "id")),
    )
    if committee is not None:
        qs = qs.filter(committee=committee)
    bulletin = qs.filter(pk=pk).first()
    if bulletin is None or not roles_of(user, bulletin.committee_id) & READER_ROLES:
        raise NotFound()
    return bulletin


def commissions_visible_to(user, committee) -> QuerySet[Commission]:
    """The calls for reports: the office sees all; members, station keepers and leaders the open ones and
    those they answered."""
    if not getattr(user, "is_authenticated", False):
        return Commission.objects.none()
    roles = roles_of(user, committee)
    qs = Commission.objects.filter(committee=committee)
    if roles & OFFICE_ROLES:
        return qs.annotate(answer_count=Count("answers", filter=Q(answers__submitted_at__isnull=False), distinct=True))
    if not roles & {Role.MEMBER, Role.STATION, Role.LEADER}:  # a handling-unit user: none (the list is 404 too)
        return Commission.objects.none()
    answered = OpinionReport.objects.filter(_own_q(user), commission__isnull=False).values("commission_id")
    return qs.filter(Q(state=Commission.State.OPEN) | Q(pk__in=answered))


def commission_get(user, pk, committee=None) -> Commission:
    pk = _int(pk)
    if pk is None:
        raise NotFound()
    qs = commissions_visible_to(user, committee) if committee is not None else None
    if qs is None:
        row = Commission.objects.filter(pk=pk).first()
        if row is None:
            raise NotFound()
        qs = commissions_visible_to(user, row.committee_id)
    commission = qs.filter(pk=pk).first()
    if commission is None:
        raise NotFound()
    return commission


def commission_answers(user, commission) -> QuerySet[OpinionReport]:
    """The reports answering a call that `user` may see (the office: every submitted answer), oldest first."""
    return with_list_data(
        opinions_visible_to(user, commission.committee_id).filter(commission=commission).order_by("submitted_at", "id")
    )


def open_commissions(committee) -> QuerySet[Commission]:
    return Commission.objects.filter(committee=committee, state=Commission.State.OPEN).order_by("due_on", "id")


# --- Workbench to-dos, deadline helpers ---------------------------------------------------------------


def todos_for(user, committee) -> list[dict]:
    """To-dos for the workbench (Declarations.todos): one count query per line the user has."""
    if committee is None or not getattr(user, "is_authenticated", False):
        return []
    roles = roles_of(user, committee)
    items: list[dict] = []
    base = OpinionReport.objects.filter(committee=committee)
    if roles & OFFICE_ROLES:
        counts = base.aggregate(
            submitted=Count("pk", filter=Q(state=S.SUBMITTED)),
            approved=Count("pk", filter=Q(state=S.APPROVED)),
            mine=Count("pk", filter=Q(state=S.EDITING, editing_by=user)),
        )
        if counts["submitted"]:
            items.append({"label": _("Opinion reports to edit"), "count": counts["submitted"],
                          "url": url_or_hash("opinions:list") + "?state=submitted", "urgent": False})
        if counts["mine"]:
            items.append({"label": _("Opinion reports you are editing"), "count": counts["mine"],
                          "url": url_or_hash("opinions:list") + "?state=editing", "urgent": False})
        if counts["approved"]:
            items.append({"label": _("Approved opinion reports to forward"), "count": counts["approved"],
                          "url": url_or_hash("opinions:list") + "?state=approved", "urgent": False})
    if Role.LEADER in roles:
        n = base.filter(state=S.AWAITING_APPROVAL).count()
        if n:
            items.append({"label": _("Opinion reports to approve"), "count": n,
                          "url": url_or_hash("opinions:approvals"), "urgent": False})
    if roles - OFFICE_ROLES - {Role.LEADER}:
        n = base.filter(_own_q(user), state=S.RETURNED).count()
        if n:
            items.append({"label": _("Opinion reports returned to you"), "count": n,
                          "url": url_or_hash("opinions:mine"), "urgent": True})
    return items


def deadline_recipients(deadline):
    """Who is reminded of an "opinion.edit" deadline: the committee's office."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return User.objects.filter(
        role_assignments__committee_id=deadline.committee_id, role_assignments__role__in=list(OFFICE_ROLES),
        is_active=True,
    ).distinct()


def deadline_url(deadline) -> str:
    try:
        return opinion_url(int(deadline.object_id))
    except (TypeError, ValueError):
        return ""


def today():
    return clock.today()


def commission_event_label(action: str):
    name = action.split(".", 1)[1] if "." in action else action
    return {"create": _("call published"), "update": _("call changed"), "close": _("call closed")}.get(name)
