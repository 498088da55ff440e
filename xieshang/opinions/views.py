"""The opinion report screens (社情民意信息). Thin: parse input with a form, call one service or selector,
render.

Errors of the services (xieshang.core.errors) come back as messages next to the fields or at the top,
with everything typed kept; a report the user may not see is a 404, the same as a missing one; a page
meant for other roles is a 404 too. Every list is filtered, sorted, paginated, searchable and exported to
Excel (`?format=xlsx`, the same rows as the page, all pages) from one definition (lists.py, a core ListDef per list).
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xieshang.core import clock
from xieshang.core.lists import EXPORT_MAX_ROWS, heads, page_of
from xieshang.core.errors import Forbidden, NotFound, ServiceError
from xieshang.core.screens import committee_or_404 as _committee
from xieshang.core.screens import require_roles as _require_roles
from xieshang.core.screens import attachment_removed, form_error, screen
from xieshang.core.models import Role
from xieshang.core.selectors import member_of, roles_of

from . import page_selectors, selectors, services
from .forms import (
    ACTION_FORMS,
    DANGER_ACTIONS,
    PAGE_ACTIONS,
    VERSIONED_ACTIONS,
    AttachmentForm,
    BulletinForm,
    CombineForm,
    CommissionForm,
    DraftForm,
    EditForm,
    ListFilterForm,
    RecipientForm,
    action_form,
)
from .models import TEXT_LIMIT, Commission, OpinionReport, OpinionState
from .lists import ANSWERS, APPROVALS, BULLETINS, COMMISSIONS, INBOX, INSTRUCTIONS, MINE, report_number
from .workflow import BY_ACTION, GROUPS

S = OpinionState
STAFF_ROLES = {Role.STAFF, Role.ADMIN}
BOARD_ROLES = {Role.STAFF, Role.ADMIN, Role.LEADER}
FIRST_YEAR = 2020


# --- Helpers ------------------------------------------------------------------------------------


def _roles(request) -> set[str]:
    return roles_of(request.user, _committee(request))


def _get(request, pk) -> OpinionReport:
    return selectors.opinion_get(request.user, pk, committee=_committee(request))


def _int(value):
    value = (value or "").strip() if isinstance(value, str) else ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


def _safe_next(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


def _apply_error(request, form, exc: ServiceError) -> None:
    """A service error on the form (core.screens.form_error); an error of the text as a whole (`body`, or the
    form's whole) is shown next to its last part and the counter."""
    def field_for(field: str) -> str:
        if field not in form.fields and field in ("body", "__all__") and "suggestion" in form.fields:
            return "suggestion"
        return field

    form_error(request, form, exc, field_for=field_for if form is not None else None)


def _years() -> list[int]:
    return list(range(clock.today().year, FIRST_YEAR - 1, -1))


def _filtered(qs, params: dict):
    """The filters of a report list: state, year, category on the selector's rows; q through the selector."""
    if params.get("state"):
        qs = qs.filter(state=params["state"])
    if params.get("year"):
        qs = qs.filter(year=params["year"])
    if params.get("category"):
        qs = qs.filter(category=params["category"])
    return qs


def _searched(request, committee, qs, q: str):
    """Text search through the app's selector (the core search index), narrowed to `qs`."""
    if not q:
        return qs
    found = selectors.opinion_list(request.user, committee, q=q)
    return qs.filter(pk__in=found.values("pk"))


def _background_params(params: dict, extra: dict | None) -> dict | None:
    """The parameters of the background export kind "opinions" (exports.PARAMS) for this list and its
    filters; None when the list has a filter that kind does not take (it is then written here)."""
    if extra is None or params.get("category"):
        return None
    out = dict(extra)
    for key in ("q", "year", "state"):
        if params.get(key):
            out[key] = str(params[key])
    if params.get("sort"):  # the pages, the API and the export's selector name the sorts alike (lists.REPORT_SORTS)
        out["sort"] = str(params["sort"])
    return out


def _background_export(request, committee, count: int, params: dict):
    """A list longer than the inline limit is prepared by the worker (core.exports, kind "opinions"): a
    GET asks first, a POST queues it and leads to "My exports"."""
    from xieshang.core import exports as background
    from xieshang.core.services import export_request

    if request.method != "POST":
        return render(request, "opinions/export_confirm.html", {
            "rows": count, "limit": background.inline_limit(), "query": request.GET.urlencode(),
            "back": request.path + "?" + request.GET.urlencode().replace("format=xlsx", "").strip("&"),
        })
    try:
        export_request(actor=request.user, committee=committee, kind="opinions", params=params)
    except ServiceError as exc:
        messages.error(request, str(exc.message))
        return redirect(request.path)
    messages.success(request, _(
        "The list has %(rows)s reports: the file is being prepared in the background. "
        "You will be notified when it is ready."
    ) % {"rows": count})
    return redirect("core:exports")


def _list_page(request, listdef, qs, template: str, context: dict, *, filters: ListFilterForm, prepare=None,
               background: dict | None = None):
    """The page of a list, or with `?format=xlsx` the whole filtered list as an Excel file (its "export"
    layout: the page's columns as text). `background`: the background export's parameters that select
    this list (see `_background_params`); a longer list than the inline limit is then left to the worker."""
    params = filters.params()
    qs = listdef.order(qs, params.get("sort"))
    if request.GET.get("format") == "xlsx":
        from xieshang.core import exports as core_exports

        background_params = _background_params(params, background)
        if background_params is not None:
            count = qs.count()
            if count > core_exports.inline_limit():
                return _background_export(request, _committee(request), count, background_params)
        rows = qs[:EXPORT_MAX_ROWS]
        if prepare is not None:
            rows = prepare(rows)
        handle = tempfile.TemporaryFile()
        listdef.write_xlsx(handle, rows)
        handle.seek(0)
        from xieshang.core.exports import XLSX

        return FileResponse(handle, as_attachment=True, filename=f"{listdef.name}-{timezone.localdate():%Y%m%d}.xlsx",
                            content_type=XLSX)
    page = page_of(listdef, qs, request)
    rows = list(prepare(page.object_list) if prepare is not None else page.object_list)
    return render(request, template, {
        **context, "page_obj": page, "rows": rows, "filters": filters, "heads": heads(listdef, params.get("sort")),
    })


def _with_outcomes(rows):
    rows = list(page_selectors.with_outcomes(rows))
    for r in rows:
        r.outcomes = page_selectors.outcome_lines(r)
    return rows


def _plain_rows(rows):
    return page_selectors.with_outcomes(rows)


# --- Member: my reports, drafting ------------------------------------------------------------------


@screen
def mine(request):
    committee = _committee(request)
    filters = ListFilterForm(request.GET, listdef=MINE, years=_years())
    params = filters.params()
    qs = _filtered(selectors.opinions_of(request.user, committee), params)
    qs = _searched(request, committee, qs, params.get("q", ""))
    open_calls = list(selectors.commissions_visible_to(request.user, committee).filter(
        state=Commission.State.OPEN, due_on__gte=clock.today()).order_by("due_on")[:5])
    return _list_page(request, MINE, qs, "opinions/mine.html", {"open_calls": open_calls},
                      filters=filters, prepare=_with_outcomes, background={"mine": "1"})


def _commission_for(request, committee, value):
    pk = _int(str(value)) if value not in (None, "") else None
    if pk is None:
        return None
    try:
        return selectors.commission_get(request.user, pk, committee=committee)
    except NotFound:
        return None


def _submitter_choices(request, committee) -> list[tuple[str, str]]:
    """In whose name the user may draft: their own (a member), their liaison station (a keeper), a party or
    group or a special committee (their own as a member; any as office staff)."""
    from xieshang.core.models import Organization, SpecialCommittee

    roles = _roles(request)
    member = member_of(request.user, committee)
    choices = []
    if member is not None:
        choices.append(("member", _("Myself (%(name)s)") % {"name": member.name}))
    if Role.STATION in roles:
        choices.append(("station", _("My liaison station")))
    if roles & STAFF_ROLES:
        organizations = Organization.objects.filter(committee=committee).order_by("name")
        specials = SpecialCommittee.objects.filter(committee=committee).order_by("name")
    else:
        organizations = Organization.objects.filter(pk=getattr(member, "organization_id", None) or 0)
        specials = member.special_committees.all() if member is not None else SpecialCommittee.objects.none()
    choices += [(f"organization:{o.pk}", o.name) for o in organizations]
    choices += [(f"special_committee:{c.pk}", c.name) for c in specials]
    return choices


@screen
def create(request):
    committee = _committee(request)
    submitters = _submitter_choices(request, committee)
    if request.method == "POST":
        form = DraftForm(request.POST, submitter_choices=submitters)
        if form.is_valid():
            try:  # the service checks the call (this committee's, still open)
                report = services.opinion_create(actor=request.user, committee=committee,
                                                 commission=form.cleaned_data.get("commission"),
                                                 **form.to_data(), **form.submitter_args())
            except NotFound:
                raise
            except ServiceError as exc:
                _apply_error(request, form, exc)
            else:
                messages.success(request, _("The draft is saved. Submit it when it is ready."))
                return redirect("opinions:detail", pk=report.pk)
        else:
            messages.error(request, _("Please correct the marked fields."))
    else:
        initial = {}
        commission = _commission_for(request, committee, request.GET.get("commission"))
        if commission is not None:
            initial = {"commission": commission.pk, "title": commission.topic}
        form = DraftForm(initial=initial, submitter_choices=submitters)
    commission = _commission_for(request, committee, form["commission"].value())
    return render(request, "opinions/form.html", {
        "form": form, "report": None, "commission": commission, "limit": TEXT_LIMIT,
    })


@screen
def edit(request, pk):
    report = _get(request, pk)
    if "update" not in {t.action for t in selectors.available_actions(request.user, report)}:
        messages.warning(request, _("This report can no longer be changed by you."))
        return redirect("opinions:detail", pk=report.pk)
    if request.method == "POST":
        form = DraftForm(request.POST)
        if form.is_valid():
            try:
                services.opinion_update(actor=request.user, report=report, data=form.to_data(),
                                        expected_version=form.cleaned_data.get("version"))
            except NotFound:
                raise
            except ServiceError as exc:
                _apply_error(request, form, exc)
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("opinions:detail", pk=report.pk)
        else:
            messages.error(request, _("Please correct the marked fields."))
    else:
        form = DraftForm(initial={
            "title": report.title, "category": report.category, "situation": report.situation,
            "analysis": report.analysis, "suggestion": report.suggestion, "version": report.version,
        })
    return render(request, "opinions/form.html", {
        "form": form, "report": report, "commission": report.commission, "limit": TEXT_LIMIT,
    })


# --- The detail page and its actions --------------------------------------------------------------


def _action_ctx(request, report, names) -> dict:
    committee = _committee(request)
    ctx = {}
    if names & {"forward", "record_adoption"}:
        ctx["recipients"] = [(r.pk, r.name) for r in selectors.recipients_of(committee)]
    if "record_adoption" in names:
        ctx["forwarded_recipients"] = [(f.recipient_id, f.recipient.name) for f in report.forwardings.all()]
    if "forward" in names:
        year = clock.today().year
        ctx["bulletins"] = [
            (b.pk, _("Issue %(number)s of %(year)s (%(kind)s)") % {"number": b.number, "year": b.year,
                                                                   "kind": b.get_kind_display()})
            for b in selectors.bulletins_of(request.user, committee, year=year)[:30]
        ]
    return ctx


def _action_entries(request, report, actions, bound=None) -> list[dict]:
    """One entry per action the user may take now: a link (own page), a button, or a small form."""
    names = {t.action for t in actions}
    bound_action, bound_form = bound or (None, None)
    ctx = _action_ctx(request, report, names | ({bound_action} if bound_action else set()))
    entries = []
    for t in actions:
        if t.action in PAGE_ACTIONS:
            label = _("Open the editing desk") if t.action == "edit" else t.label
            entries.append({"action": t.action, "label": label, "kind": "link",
                            "url": reverse(PAGE_ACTIONS[t.action], args=[report.pk])})
            continue
        if t.action not in ACTION_FORMS:
            continue
        form = bound_form if t.action == bound_action else action_form(t.action, ctx=ctx)
        entries.append(_entry(t, form))
    if bound_action and bound_action not in names and bound_action in BY_ACTION:
        # Not possible any more (the state changed): still show what was typed, with the error.
        entries.insert(0, _entry(BY_ACTION[bound_action], bound_form))
    return entries


def _entry(t, form) -> dict:
    return {
        "action": t.action, "label": t.label, "kind": "form" if form.visible_fields() else "button", "form": form,
        "open": form.is_bound, "versioned": t.action in VERSIONED_ACTIONS, "danger": t.action in DANGER_ACTIONS,
    }


def _detail_context(request, report, bound=None) -> dict:
    user = request.user
    actions = selectors.available_actions(user, report)
    versions = list(selectors.versions_of(user, report))
    if report.combined_into_id:  # followed through the combined report(s): read with them
        rows = _with_outcomes(OpinionReport.objects.filter(pk=report.pk))
        outcomes = rows[0].outcomes if rows else []
    else:  # what the detail loaded already (forwardings, adoptions, instructions, versions)
        report.staff_edits = [v for v in versions if v.is_staff_edit]
        outcomes = page_selectors.outcome_lines(report)
    may_attach = services.may_attach(user, report)
    attachment_form = AttachmentForm(auto_id="id_attachment_%s") if may_attach else None
    return {
        "report": report,
        "authors": list(report.authors.all()),
        "versions": versions,
        "attachments": list(page_selectors.attachments_of(report)),
        "attachment_form": attachment_form,
        "may_attach": may_attach,
        "outcomes": outcomes,
        "combined_reports": list(report.combined_reports.all()) if report.is_combined else [],
        "forwardings": list(report.forwardings.all()),
        "adoptions": list(report.adoptions.all()),
        "instructions": list(report.instructions.all()),
        "events": selectors.timeline_of(user, report),
        "actions": _action_entries(request, report, actions, bound),
        "is_staff": bool(_roles(request) & STAFF_ROLES),
        "may_see_bulletins": bool(_roles(request) & BOARD_ROLES),  # the bulletin issue and its Word file
    }


@screen
def detail(request, pk):
    report = _get(request, pk)
    return render(request, "opinions/detail.html", _detail_context(request, report))


@screen
@require_POST
def act(request, pk, action):
    """Carry out one workflow action from a form on the detail page (or a list, with `next`)."""
    if action not in ACTION_FORMS:
        raise Http404
    report = _get(request, pk)
    ctx = _action_ctx(request, report, {action})
    form = action_form(action, request.POST, ctx=ctx)
    status = 200
    if form.is_valid():
        version = _int(request.POST.get("version")) if action in VERSIONED_ACTIONS else None
        try:
            services.opinion_act(actor=request.user, report=report, action=action, data=form.to_data(),
                                 expected_version=version)
        except NotFound:
            raise
        except ServiceError as exc:
            _apply_error(request, form, exc)
            status = 403 if isinstance(exc, Forbidden) else 200
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": BY_ACTION[action].label})
            return redirect(_safe_next(request, reverse("opinions:detail", args=[pk])))
    else:
        messages.error(request, _("Please correct the marked fields."))
    report = _get(request, pk)  # fresh state for the page
    context = _detail_context(request, report, bound=(action, form))
    context["next"] = _safe_next(request, "")
    return render(request, "opinions/detail.html", context, status=status)


@screen
@require_POST
def attachment_add(request, pk):
    report = _get(request, pk)
    form = AttachmentForm(request.POST, request.FILES, auto_id="id_attachment_%s")
    if form.is_valid():
        try:
            services.opinion_attachment_add(actor=request.user, report=report, file=form.cleaned_data["file"])
        except NotFound:
            raise
        except ServiceError as exc:
            _apply_error(request, form, exc)
        else:
            messages.success(request, _("The file is attached."))
            return redirect(reverse("opinions:detail", args=[pk]) + "#attachments")
    else:
        messages.error(request, _("Please correct the marked fields."))
    context = _detail_context(request, report)
    context["attachment_form"] = form
    return render(request, "opinions/detail.html", context)


@screen
@require_POST
def attachment_remove(request, pk, attachment_id):
    report = _get(request, pk)
    return attachment_removed(request, lambda: services.opinion_attachment_remove(
        actor=request.user, report=report, attachment=attachment_id),
        reverse("opinions:detail", args=[pk]) + "#attachments")


@screen
def attachment(request, pk, attachment_id):
    """An attached file, for those who may see the report."""
    from xieshang.core.attachments import attachment_download

    report = _get(request, pk)  # 404 for a report the user may not see
    return attachment_download(report, attachment_id, visible=True)


# --- Staff: inbox, editing desk, combining, forwarding ---------------------------------------------

INBOX_TABS = (
    ("submitted", gettext_lazy("New"), (S.SUBMITTED,)),
    ("editing", gettext_lazy("Being edited"), (S.EDITING,)),
    ("returned", gettext_lazy("Returned"), (S.RETURNED,)),
    ("awaiting_approval", gettext_lazy("Awaiting approval"), (S.AWAITING_APPROVAL,)),
    ("approved", gettext_lazy("To forward"), (S.APPROVED,)),
    ("forwarded", gettext_lazy("Forwarded"), (S.FORWARDED, S.CLOSED)),
    ("declined", gettext_lazy("Not used or combined"), (S.DECLINED, S.COMBINED)),
    ("all", gettext_lazy("All"), ()),
)


# What selects each tab's reports in the background export (exports.PARAMS); the others are written here.
TAB_EXPORTS = {
    "submitted": {"state": S.SUBMITTED}, "editing": {"state": S.EDITING}, "returned": {"state": S.RETURNED},
    "awaiting_approval": {"state": S.AWAITING_APPROVAL}, "approved": {"state": S.APPROVED},
    "forwarded": {"group": "sent"},
}


@screen
def report_list(request):
    committee = _committee(request)
    _require_roles(request, BOARD_ROLES)
    tabs = {key: (label, states) for key, label, states in INBOX_TABS}
    tab = request.GET.get("tab") or (request.GET.get("state") if request.GET.get("state") in tabs else "submitted")
    if tab not in tabs:
        tab = "submitted"
    states = tabs[tab][1]
    filters = ListFilterForm(request.GET, listdef=INBOX, years=_years(), states=states or None)
    if len(states) == 1:
        del filters.fields["state"]
    params = filters.params()
    qs = selectors.opinions_visible_to(request.user, committee).exclude(state=S.DRAFT)
    if states:
        qs = qs.filter(state__in=states)
    qs = _filtered(qs, params)
    qs = _searched(request, committee, qs, params.get("q", ""))
    is_staff = bool(_roles(request) & STAFF_ROLES)
    return _list_page(request, INBOX, qs, "opinions/list.html", {
        "tabs": [{"key": k, "label": label} for k, label, _s in INBOX_TABS], "tab": tab, "is_staff": is_staff,
        "combinable": is_staff and tab in ("submitted", "editing", "all"),
    }, filters=filters, prepare=_with_outcomes, background=TAB_EXPORTS.get(tab))


def _version_pair(request, versions):
    """The two versions the desk compares: ?left= and ?right= (numbers), by default the submitter's first
    text and the latest one."""
    by_number = {v.number: v for v in versions}
    left = by_number.get(_int(request.GET.get("left"))) or (versions[0] if versions else None)
    right = by_number.get(_int(request.GET.get("right"))) or (versions[-1] if versions else None)
    return left, right


@screen
def desk(request, pk):
    """The editing desk: the submitter's text (or any kept version) beside the text being edited."""
    _require_roles(request, STAFF_ROLES)
    report = _get(request, pk)
    available = {t.action for t in selectors.available_actions(request.user, report)}
    form = None
    status = 200
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid():
            data = form.to_data()
            if form.cleaned_data.get("note"):
                data["note"] = form.cleaned_data["note"]
            try:
                services.opinion_edit(actor=request.user, report=report, data=data,
                                      expected_version=form.cleaned_data.get("version"))
            except NotFound:
                raise
            except ServiceError as exc:
                _apply_error(request, form, exc)
                status = 403 if isinstance(exc, Forbidden) else 200
            else:
                messages.success(request, _("The edited text is saved as a new version."))
                return redirect("opinions:desk", pk=report.pk)
        else:
            messages.error(request, _("Please correct the marked fields."))
        report = _get(request, pk)
    elif "edit" not in available:
        messages.warning(request, _("This report cannot be edited now."))
        return redirect("opinions:detail", pk=report.pk)
    if form is None:
        form = EditForm(initial={
            "title": report.title, "category": report.category, "situation": report.situation,
            "analysis": report.analysis, "suggestion": report.suggestion, "version": report.version,
        })
    versions = list(selectors.versions_of(request.user, report))
    left, right = _version_pair(request, versions)
    shown = {"return", "decline", "send_for_approval", "approve"}
    if report.editing_by_id != request.user.pk:  # "start editing" claims it (takes it over from another)
        shown.add("start_editing")
    actions = [e for e in _action_entries(request, report, selectors.available_actions(request.user, report))
               if e["action"] in shown]
    return render(request, "opinions/desk.html", {
        "report": report, "form": form, "versions": versions, "left": left, "right": right,
        "actions": actions, "limit": TEXT_LIMIT, "claimed_by_other": bool(
            report.editing_by_id and report.editing_by_id != request.user.pk),
    }, status=status)


@screen
def combine(request):
    """Combine the reports ticked in the list into one combined report (综合), its text written here."""
    committee = _committee(request)
    _require_roles(request, STAFF_ROLES)
    source = request.POST if request.method == "POST" else request.GET
    ids = [i for i in (_int(v) for v in source.getlist("reports")) if i]
    candidates = list(
        selectors.opinions_visible_to(request.user, committee).filter(pk__in=ids, state__in=GROUPS["combinable"])
        .prefetch_related("authors__member", "authors__user").order_by("submitted_at", "pk")
    ) if ids else []
    choices = [(r.pk, f"{report_number(r)} {r.title}".strip()) for r in candidates]
    if request.method == "POST" and "title" in request.POST:
        form = CombineForm(request.POST, report_choices=choices)
        if form.is_valid():
            versions = {}
            for item in request.POST.getlist("versions"):
                report_id, _sep, version = item.partition(":")
                if _int(report_id) and _int(version) is not None:
                    versions[_int(report_id)] = _int(version)
            data = form.to_data()
            try:
                combined = services.opinion_combine(
                    actor=request.user, reports=[r for r in candidates if r.pk in set(form.cleaned_data["reports"])],
                    versions=versions, **data,
                )
            except NotFound:
                raise
            except ServiceError as exc:
                _apply_error(request, form, exc)
            else:
                messages.success(request, _("The reports are combined into one report."))
                return redirect("opinions:desk", pk=combined.pk)
        else:
            messages.error(request, _("Please correct the marked fields."))
    else:
        if len(candidates) < 2:
            messages.warning(request, _("Tick at least two new or edited reports in the list to combine them."))
            return redirect(reverse("opinions:list") + "?tab=submitted")
        first = candidates[0]
        form = CombineForm(report_choices=choices, initial={
            "reports": [r.pk for r in candidates], "title": first.title, "category": first.category,
            "situation": "\n\n".join(r.situation for r in candidates if r.situation),
            "analysis": "\n\n".join(r.analysis for r in candidates if r.analysis),
            "suggestion": "\n\n".join(r.suggestion for r in candidates if r.suggestion),
        })
    return render(request, "opinions/combine.html", {"form": form, "candidates": candidates, "limit": TEXT_LIMIT})


@screen
def bulletins(request):
    committee = _committee(request)
    _require_roles(request, BOARD_ROLES)
    filters = ListFilterForm(request.GET, listdef=BULLETINS, years=_years(), fields=("q", "year"))
    params = filters.params()
    qs = selectors.bulletins_of(request.user, committee, year=params.get("year"))
    if params.get("q"):  # the issues holding a report the text finds
        found = _searched(request, committee, selectors.opinions_visible_to(request.user, committee), params["q"])
        qs = qs.filter(pk__in=found.filter(bulletin__isnull=False).values("bulletin_id"))
    qs = qs.prefetch_related("recipients", "reports")
    return _list_page(request, BULLETINS, qs, "opinions/bulletins.html",
                      {"is_staff": bool(_roles(request) & STAFF_ROLES)}, filters=filters)


@screen
def bulletin_new(request):
    """The bulletin composer: approved reports and recipients → one numbered issue (报送)."""
    committee = _committee(request)
    _require_roles(request, STAFF_ROLES)
    approved = list(selectors.opinions_visible_to(request.user, committee).filter(state=S.APPROVED)
                    .order_by("approved_at", "pk"))
    recipients = list(selectors.recipients_of(committee))
    form = BulletinForm(
        request.POST or None, report_choices=[(r.pk, f"{report_number(r)} {r.title}".strip()) for r in approved],
        recipient_choices=[(r.pk, r.name) for r in recipients],
        initial={"reports": [_int(v) for v in request.GET.getlist("reports")], "issued_on": clock.today()},
    )
    year = clock.today().year
    if request.method == "POST" and form.is_valid():
        chosen = [r for r in approved if r.pk in set(form.cleaned_data["reports"])]
        issued_on = form.cleaned_data.get("issued_on")
        bulletin_id, done, failed = None, [], []
        for report in chosen:
            data = {"recipients": form.cleaned_data["recipients"]}
            if form.cleaned_data.get("kind"):
                data["kind"] = form.cleaned_data["kind"]
            if issued_on:
                data["issued_on"] = issued_on.isoformat()
            if bulletin_id:
                data["bulletin"] = bulletin_id
            try:
                forwarded = services.opinion_act(actor=request.user, report=report, action="forward", data=data,
                                                 expected_version=report.version)
            except NotFound:
                failed.append((report, _("Not found.")))
            except ServiceError as exc:
                if not done:
                    _apply_error(request, form, exc)
                failed.append((report, str(exc.message)))
            else:
                bulletin_id = bulletin_id or forwarded.bulletin_id
                done.append(report)
        if done:
            messages.success(request, _("%(count)d reports are forwarded.") % {"count": len(done)})
        for report, message in failed:
            messages.error(request, f"{report.title}: {message}")
        if done and not failed:
            return redirect("opinions:bulletin", pk=bulletin_id)
        if done:
            return redirect("opinions:bulletin", pk=bulletin_id)
    elif request.method == "POST":
        messages.error(request, _("Please correct the marked fields."))
    return render(request, "opinions/bulletin_new.html", {
        "form": form, "approved": approved, "year": year,
        "next_number": page_selectors.next_bulletin_number(committee, year),
    })


@screen
def bulletin(request, pk):
    committee = _committee(request)
    _require_roles(request, BOARD_ROLES)
    found = selectors.bulletin_get(request.user, pk, committee=committee)
    reports = _with_outcomes(selectors.opinions_visible_to(request.user, committee).filter(bulletin=found)
                             .order_by("pk"))
    return render(request, "opinions/bulletin.html", {"bulletin": found, "reports": reports})


# --- Leader: approval queue, instructions ------------------------------------------------------------


@screen
def approvals(request):
    committee = _committee(request)
    _require_roles(request, BOARD_ROLES)
    filters = ListFilterForm(request.GET, listdef=APPROVALS, years=_years(), fields=("q", "year", "category"))
    params = filters.params()
    is_leader = Role.LEADER in _roles(request)
    if is_leader:
        qs = selectors.approval_queue(request.user, committee)
    else:  # the office sees what waits for the leaders
        qs = selectors.opinion_list(request.user, committee, state=S.AWAITING_APPROVAL)
    qs = _filtered(qs, params)
    qs = _searched(request, committee, qs, params.get("q", ""))
    return _list_page(request, APPROVALS, qs, "opinions/approvals.html", {"is_leader": is_leader},
                      filters=filters, prepare=_plain_rows)


@screen
def instructions(request):
    committee = _committee(request)
    _require_roles(request, BOARD_ROLES)
    filters = ListFilterForm(request.GET, listdef=INSTRUCTIONS, years=_years(), fields=("q", "year", "level"))
    params = filters.params()
    visible = selectors.opinions_visible_to(request.user, committee)
    if params.get("q"):
        visible = _searched(request, committee, visible, params["q"])
    qs = page_selectors.instructions_visible_to(visible)
    if params.get("year"):
        qs = qs.filter(date__year=params["year"])
    if params.get("level"):
        qs = qs.filter(level=params["level"])
    return _list_page(request, INSTRUCTIONS, qs, "opinions/instructions.html", {}, filters=filters)


# --- Commissions (约稿) --------------------------------------------------------------------------------


@screen
def commissions(request):
    from django.db.models import Count, Q

    committee = _committee(request)
    _require_roles(request, BOARD_ROLES | {Role.MEMBER, Role.STATION})
    is_staff = bool(_roles(request) & STAFF_ROLES)
    form = None
    if is_staff:
        form = CommissionForm(request.POST or None, auto_id="id_commission_%s")
        if request.method == "POST":
            if form.is_valid():
                try:
                    services.commission_create(actor=request.user, committee=committee, **form.cleaned_data)
                except NotFound:
                    raise
                except ServiceError as exc:
                    _apply_error(request, form, exc)
                else:
                    messages.success(request, _("The call for reports is published."))
                    return redirect("opinions:commissions")
            else:
                messages.error(request, _("Please correct the marked fields."))
    filters = ListFilterForm(request.GET, listdef=COMMISSIONS, fields=("q", "state"),
                             state_choices=Commission.State.choices)
    params = filters.params()
    qs = selectors.commissions_visible_to(request.user, committee)
    if params.get("q"):
        qs = qs.filter(Q(topic__icontains=params["q"]) | Q(description__icontains=params["q"]))
    if params.get("state"):
        qs = qs.filter(state=params["state"])
    if "answer_count" not in qs.query.annotations:  # the office's rows carry it already
        qs = qs.annotate(answer_count=Count("answers", filter=Q(answers__submitted_at__isnull=False), distinct=True))
    return _list_page(request, COMMISSIONS, qs, "opinions/commissions.html", {
        "form": form, "is_staff": is_staff, "may_answer": bool(_roles(request) & {Role.MEMBER, Role.STATION}), "today": clock.today(),
    }, filters=filters)


@screen
def commission(request, pk):
    committee = _committee(request)
    found = selectors.commission_get(request.user, pk, committee=committee)
    is_staff = bool(_roles(request) & STAFF_ROLES)
    if request.method == "POST" and is_staff and request.POST.get("close"):
        try:
            services.commission_close(actor=request.user, commission=found)
        except NotFound:
            raise
        except ServiceError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The call for reports is closed."))
        return redirect("opinions:commission", pk=found.pk)
    filters = ListFilterForm(request.GET, listdef=ANSWERS, years=_years(), fields=("q", "state"))
    params = filters.params()
    qs = _filtered(selectors.commission_answers(request.user, found), params)
    qs = _searched(request, committee, qs, params.get("q", ""))
    return _list_page(request, ANSWERS, qs, "opinions/commission.html", {
        "commission": found, "is_staff": is_staff, "today": clock.today(),
        "may_answer": bool(_roles(request) & {Role.MEMBER, Role.STATION}) and found.state == Commission.State.OPEN,
    }, filters=filters, prepare=_plain_rows)



# --- Recipients (报送对象): the office's configuration ----------------------------------------------------


def _recipient_form(request, row=None):
    initial = {"level": "prefecture", "sort_order": 0}
    if row is not None:
        initial = {"name": row.name, "level": row.level, "sort_order": row.sort_order}
    return RecipientForm(request.POST if request.method == "POST" else None, initial=initial,
                         auto_id="id_recipient_%s")


def _save_recipient(request, committee, form, row=None) -> bool:
    """The form's values through recipient_save; False (with the messages on the form) when refused."""
    if not form.is_valid():
        messages.error(request, _("Please correct the marked fields."))
        return False
    try:
        services.recipient_save(actor=request.user, committee=committee, recipient=row,
                                is_active=row.is_active if row is not None else True, **form.cleaned_data)
    except NotFound:
        raise
    except ServiceError as exc:
        _apply_error(request, form, exc)
        return False
    return True


@screen
def recipients(request):
    """The committee's recipients (报送对象): the list with the use of each, and the form to add one."""
    committee = _committee(request)
    _require_roles(request, STAFF_ROLES)
    form = _recipient_form(request)
    if request.method == "POST" and _save_recipient(request, committee, form):
        messages.success(request, _("The recipient is added."))
        return redirect("opinions:recipients")
    rows = list(selectors.recipients_for_office(request.user, committee))
    return render(request, "opinions/recipients.html", {"form": form, "rows": rows})


@screen
def recipient(request, pk):
    """One recipient: change its name, level and order; deactivate or reactivate it; delete an unused one."""
    committee = _committee(request)
    _require_roles(request, STAFF_ROLES)
    row = selectors.recipient_for_office(request.user, pk, committee=committee)
    in_use = bool(row.forwarding_count or row.adoption_count or row.bulletin_count)
    if request.method == "POST" and request.POST.get("op") in ("deactivate", "activate", "delete"):
        op = request.POST["op"]
        try:
            if op == "delete":
                services.recipient_delete(actor=request.user, committee=committee, recipient=row)
            else:
                services.recipient_set_active(actor=request.user, committee=committee, recipient=row,
                                              active=op == "activate")
        except NotFound:
            raise
        except ServiceError as exc:
            messages.error(request, str(exc.message))
            return redirect("opinions:recipient", pk=row.pk)
        done = {"delete": _("The recipient is deleted."), "activate": _("The recipient is active again."),
                "deactivate": _("The recipient is deactivated: it is no longer offered for forwarding.")}
        messages.success(request, done[op])
        return redirect("opinions:recipients")
    form = _recipient_form(request, row)
    if request.method == "POST" and _save_recipient(request, committee, form, row):
        messages.success(request, _("The recipient is saved."))
        return redirect("opinions:recipients")
    return render(request, "opinions/recipient.html", {"form": form, "recipient": row, "in_use": in_use})
