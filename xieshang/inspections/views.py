"""The screens of inspections, democratic supervision and special supervisors. Thin: parse input with a form, call
one service or selector, render.

Staff and leaders: the plan board by month with the plan's approval (and the year's plan as Word), the inspection
register and desk (team, schedule of visits, findings, recommendations and their answers, the report as Word), the
supervision register and desk (its recommendations and their answers as on an inspection's desk; each desk with its
attached files), the special supervisors. Leaders and members: my
inspections and teams. What the user may not see is a 404, an action they may see but not take the 403 page; a
refused form comes back with its errors next to the fields and everything typed kept.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieshang.core import audit, clock
from xieshang.core.attachments import attachment_download
from xieshang.core.errors import Forbidden, NotFound
from xieshang.core.screens import committee_or_404 as _committee
from xieshang.core.screens import attachment_removed, docx_response, form_call, list_page, require_roles, screen

from . import documents, selectors, services
from . import forms as f
from .lists import INSPECTIONS, SUPERVISION, SUPERVISORS, filter_inspections, filter_supervision, filter_supervisors
from .models import Inspection, SupervisionItem, SupervisionState
from .selectors import OFFICE_ROLES, READER_ROLES

INSPECTION_FORMS = {"update": None, "set_team": f.TeamForm, "add_visit": f.VisitForm, "record_findings": f.FindingsForm,
                    "add_recommendation": f.RecommendationForm, "draft_report": f.ReportForm, "send_report": f.SendForm,
                    "answer": f.AnswerForm, "cancel": f.ReasonForm}
SUPERVISION_FORMS = {"update": None, "set_team": f.TeamForm, "record_findings": f.FindingsForm,
                     "add_recommendation": f.RecommendationForm, "report": f.SupervisionReportForm,
                     "answer": f.AnswerForm, "close": f.FollowUpForm, "cancel": f.ReasonForm}


def _years(model, committee) -> list[int]:
    return sorted(set(model.objects.filter(committee=committee).values_list("year", flat=True)), reverse=True)


def _make_form(cls, obj, committee, data=None, action=""):
    if cls is None:
        return None
    kwargs = {}
    if cls is f.TeamForm:
        kwargs["committee"] = committee
        if data is None:
            team = selectors.team_of(obj)
            kwargs["initial"] = {"leaders": [t.member_id for t in team if t.role == "leader"],
                                 "members": [t.member_id for t in team if t.role != "leader"]}
    elif cls is f.ReportForm:
        kwargs["team"] = selectors.team_of(obj)
        if data is None:
            kwargs["initial"] = {"report_title": obj.report_title or obj.title, "report_text": obj.report_text,
                                 "author": obj.report_author_id}
    elif cls is f.FindingsForm and data is None and obj.findings:
        kwargs["initial"] = {"findings": obj.findings}
    elif cls is f.SendForm and data is None:
        kwargs["initial"] = {"sent_on": clock.today()}
    return cls(data, prefix=action or None, **kwargs)


def _desk_forms(obj, committee, forms_map, available, bound) -> dict:
    """The desk's forms of the actions offered now; the one just refused (`bound`: action, form) as it was posted."""
    return {action: (bound[1] if bound and bound[0] == action else _make_form(cls, obj, committee, action=action))
            for action, cls in forms_map.items() if action in available and cls is not None}


# --- Inspections ---------------------------------------------------------------------------------------------


def _year(value) -> int:
    try:
        year = int(value or clock.today().year)
    except ValueError:
        year = clock.today().year
    return min(max(year, 2000), 2100)


def _board_page(request, committee, year: int, approval_form=None, status=200):
    months = selectors.board(request.user, committee, year)
    office = selectors.is_office(request.user, committee)
    approval = selectors.plan_approval(request.user, committee, year)
    if approval_form is None and office and not (approval and approval.is_final):
        initial = {name: getattr(approval, name) for name in services.APPROVAL_FIELDS} if approval else None
        approval_form = f.PlanApprovalForm(initial=initial)
    return render(request, "inspections/board.html", {
        "year": year, "months": months, "total": sum(len(m["items"]) for m in months),
        "years": sorted(set(_years(Inspection, committee)) | {clock.today().year}, reverse=True),
        "may_plan": office, "approval": approval, "approval_form": approval_form if office else None,
        "approval_events": audit.timeline(approval) if office and approval else []}, status=status)


@screen
def board(request):
    """The plan board: the year's inspections by planned month (?year=, this year by default), the plan's approval
    (the office records it here)."""
    committee = _committee(request)
    require_roles(request, READER_ROLES)
    return _board_page(request, committee, _year(request.GET.get("year")))


@screen
@require_POST
def plan_approval(request, year):
    """Record the year's plan's approvals (the office); a refused form comes back on the board as typed."""
    committee = _committee(request)
    require_roles(request, READER_ROLES)
    if not selectors.is_office(request.user, committee):
        raise Forbidden()
    if not 2000 <= year <= 2100:
        raise NotFound()
    form = f.PlanApprovalForm(request.POST)

    def call():
        services.plan_approval_record(actor=request.user, committee=committee, year=year, data=form.data_for_service(),
                                      expected_version=request.POST.get("expected_version"))

    if form_call(request, form, call, _("The plan's approval is recorded.")):
        return redirect(reverse("inspections:board") + f"?year={year}#approval")
    return _board_page(request, committee, year, approval_form=form, status=422)


@screen
def plan_docx(request, year):
    committee = _committee(request)
    require_roles(request, READER_ROLES)
    rows = list(selectors.inspections_visible_to(request.user, committee).filter(year=year).exclude(state="cancelled")
                .select_related("special_committee", "lead_leader").order_by("planned_month", "id"))
    approval = selectors.plan_approval(request.user, committee, year)
    return docx_response(documents.plan_docx(committee, year, rows, approval), documents.plan_filename(year))


@screen
def inspections(request):
    committee = _committee(request)
    require_roles(request, READER_ROLES)
    filters = f.FilterForm(request.GET, listdef=INSPECTIONS, committee=committee, years=_years(Inspection, committee))
    params = filters.params()
    qs = selectors.with_counts(filter_inspections(selectors.inspections_visible_to(request.user, committee), params))
    return list_page(request, INSPECTIONS, qs, "inspections/inspections.html",
                     {"may_plan": selectors.is_office(request.user, committee)}, filters=filters, params=params)


def _create(request, form, create, done, back, kind):
    if request.method == "POST":
        created = {}

        def call():
            created["obj"] = create(actor=request.user, committee=_committee(request), data=form.data_for_service())

        if form_call(request, form, call, done):
            return redirect(back, created["obj"].pk)
    return render(request, "inspections/plan_form.html", {"form": form, "obj": None, "kind": kind},
                  status=422 if request.method == "POST" else 200)


@screen
def inspection_new(request):
    committee = _committee(request)
    require_roles(request, OFFICE_ROLES)
    today = clock.today()
    form = f.InspectionPlanForm(request.POST or None, committee=committee,
                                initial={"year": today.year, "planned_month": today.month, "kind": "inspection"})
    return _create(request, form, services.inspection_create, _("The inspection is in the plan."),
                   "inspections:inspection", "inspection")


def _edit(request, obj, form_cls, act, back, template_kind):
    committee = _committee(request)
    if "staff" not in selectors.relations_of(request.user, obj):
        raise Forbidden()
    fields = services.PLAN_FIELDS if isinstance(obj, Inspection) else services.SUPERVISION_FIELDS
    initial = {name.removesuffix("_id"): getattr(obj, name) for name in fields}
    form = form_cls(request.POST or None, committee=committee, initial=initial)
    if request.method == "POST":
        def call():
            act(actor=request.user, action="update", data=form.data_for_service(),
                expected_version=request.POST.get("expected_version"))

        if form_call(request, form, call, _("The plan is saved.")):
            return redirect(back, obj.pk)
    return render(request, "inspections/plan_form.html", {"form": form, "obj": obj, "kind": template_kind},
                  status=422 if request.method == "POST" else 200)


@screen
def inspection_edit(request, pk):
    obj = selectors.inspection_get(request.user, _committee(request), pk)
    return _edit(request, obj, f.InspectionPlanForm,
                 lambda **kw: services.inspection_act(inspection=obj, **kw), "inspections:inspection", "inspection")


def _files(request, obj, attachment_form=None) -> dict:
    """The item's files and, for the office, the upload form (the refused one as it was posted)."""
    may_attach = services.may_attach(request.user, obj)
    if attachment_form is None and may_attach:
        attachment_form = f.AttachmentForm()
    return {"files": selectors.files_of(obj), "may_attach": may_attach,
            "attachment_form": attachment_form if may_attach else None}


def _attach(request, obj, desk, back):
    if not services.may_attach(request.user, obj):  # 403 before the upload is read
        raise Forbidden()
    form = f.AttachmentForm(request.POST, request.FILES)

    def call():
        services.attachment_add(actor=request.user, obj=obj, file=form.cleaned_data["file"],
                                purpose=form.cleaned_data["purpose"])

    if form_call(request, form, call, _("The file is attached.")):
        return redirect(reverse(back, args=[obj.pk]) + "#files")
    return desk(request, obj, status=422, attachment_form=form)


def _remove_file(request, obj, attachment_id, back):
    return attachment_removed(request, lambda: services.attachment_remove(actor=request.user, obj=obj,
                                                                          attachment=attachment_id),
                              reverse(back, args=[obj.pk]) + "#files")


def _inspection_desk(request, obj, status=200, bound=None, attachment_form=None):
    user = request.user
    committee = _committee(request)
    relations = selectors.relations_of(user, obj)
    available = {t.action: t for t in selectors.inspection_actions(user, obj)}
    forms_ = _desk_forms(obj, committee, INSPECTION_FORMS, available, bound)
    return render(request, "inspections/inspection.html", {
        "obj": obj, "office": "staff" in relations, "team": selectors.team_of(obj),
        "visits": list(obj.visits.all()), "recommendations": selectors.recommendations_of(obj),
        "buttons": [t for a, t in available.items() if a in ("start", "close")],
        "available": available, "forms": forms_, "answer_form": forms_.get("answer"),
        "events": audit.timeline(obj) if relations & {"staff", "leader", "lead"} else [],
        **_files(request, obj, attachment_form),
    }, status=status)


@screen
def inspection(request, pk):
    return _inspection_desk(request, selectors.inspection_get(request.user, _committee(request), pk))


def _act(request, obj, machine, act, forms_map, desk, back):
    action = request.resolver_match.kwargs["action"]
    if action not in machine:
        raise NotFound()
    if not machine.transition(action).actors & selectors.relations_of(request.user, obj):
        raise Forbidden()
    form = _make_form(forms_map.get(action), obj, _committee(request), request.POST, action=action)

    def call():
        act(actor=request.user, action=action, data=form.data_for_service() if form is not None else {},
            expected_version=request.POST.get("expected_version"))

    if form_call(request, form, call, _("Done: %(action)s.") % {"action": machine.transition(action).label}):
        return redirect(back, obj.pk)
    obj.refresh_from_db()
    return desk(request, obj, status=422 if form is not None else 409, bound=(action, form))


@screen
@require_POST
def inspection_act(request, pk, action):
    obj = selectors.inspection_get(request.user, _committee(request), pk)
    return _act(request, obj, services.MACHINE, lambda **kw: services.inspection_act(inspection=obj, **kw),
                INSPECTION_FORMS, _inspection_desk, "inspections:inspection")


@screen
def report_docx(request, pk):
    """The inspection's report as Word: whoever may see the inspection."""
    obj = selectors.inspection_get(request.user, _committee(request), pk)
    data = documents.report_docx(obj, selectors.team_of(obj), list(obj.visits.all()), selectors.recommendations_of(obj))
    return docx_response(data, documents.report_filename(obj))


@screen
@require_POST
def inspection_file_add(request, pk):
    obj = selectors.inspection_get(request.user, _committee(request), pk)
    return _attach(request, obj, _inspection_desk, "inspections:inspection")


@screen
def inspection_file(request, pk, attachment_id):
    """One of the inspection's files: whoever may see the inspection (hidden or missing: the same 404)."""
    obj = selectors.inspection_get(request.user, _committee(request), pk)
    return attachment_download(obj, attachment_id, visible=True)


@screen
@require_POST
def inspection_file_remove(request, pk, attachment_id):
    obj = selectors.inspection_get(request.user, _committee(request), pk)
    return _remove_file(request, obj, attachment_id, "inspections:inspection")


# --- Democratic supervision ---------------------------------------------------------------------------------


@screen
def supervision(request):
    committee = _committee(request)
    require_roles(request, READER_ROLES)
    filters = f.FilterForm(request.GET, listdef=SUPERVISION, committee=committee,
                           years=_years(SupervisionItem, committee), states=SupervisionState)
    params = filters.params()
    qs = selectors.supervision_with_counts(filter_supervision(selectors.supervision_visible_to(request.user, committee),
                                                              params))
    return list_page(request, SUPERVISION, qs, "inspections/supervision_list.html",
                     {"may_plan": selectors.is_office(request.user, committee)}, filters=filters, params=params)


@screen
def supervision_new(request):
    committee = _committee(request)
    require_roles(request, OFFICE_ROLES)
    form = f.SupervisionPlanForm(request.POST or None, committee=committee, initial={"year": clock.today().year})
    return _create(request, form, services.supervision_create, _("The supervision item is planned."),
                   "inspections:supervision_item", "supervision")


@screen
def supervision_edit(request, pk):
    obj = selectors.supervision_get(request.user, _committee(request), pk)
    return _edit(request, obj, f.SupervisionPlanForm, lambda **kw: services.supervision_act(item=obj, **kw),
                 "inspections:supervision_item", "supervision")


def _supervision_desk(request, obj, status=200, bound=None, attachment_form=None):
    user = request.user
    committee = _committee(request)
    relations = selectors.relations_of(user, obj)
    available = {t.action: t for t in selectors.supervision_actions(user, obj)}
    forms_ = _desk_forms(obj, committee, SUPERVISION_FORMS, available, bound)
    recommendations = selectors.recommendations_of(obj)
    return render(request, "inspections/supervision_item.html", {
        "obj": obj, "office": "staff" in relations, "team": selectors.team_of(obj),
        "recommendations": recommendations, "unanswered": sum(1 for r in recommendations if not r.is_answered),
        "buttons": [t for a, t in available.items() if a == "start"], "available": available, "forms": forms_,
        "answer_form": forms_.get("answer"),
        "events": audit.timeline(obj) if relations & {"staff", "leader"} else [],
        **_files(request, obj, attachment_form),
    }, status=status)


@screen
def supervision_item(request, pk):
    return _supervision_desk(request, selectors.supervision_get(request.user, _committee(request), pk))


@screen
@require_POST
def supervision_act(request, pk, action):
    obj = selectors.supervision_get(request.user, _committee(request), pk)
    return _act(request, obj, services.SUPERVISION_MACHINE, lambda **kw: services.supervision_act(item=obj, **kw),
                SUPERVISION_FORMS, _supervision_desk, "inspections:supervision_item")


@screen
@require_POST
def supervision_file_add(request, pk):
    obj = selectors.supervision_get(request.user, _committee(request), pk)
    return _attach(request, obj, _supervision_desk, "inspections:supervision_item")


@screen
def supervision_file(request, pk, attachment_id):
    """One of the supervision item's files: whoever may see the item (hidden or missing: the same 404)."""
    obj = selectors.supervision_get(request.user, _committee(request), pk)
    return attachment_download(obj, attachment_id, visible=True)


@screen
@require_POST
def supervision_file_remove(request, pk, attachment_id):
    obj = selectors.supervision_get(request.user, _committee(request), pk)
    return _remove_file(request, obj, attachment_id, "inspections:supervision_item")


# --- Special supervisors ---------------------------------------------------------------------------------------


@screen
def supervisors(request):
    committee = _committee(request)
    require_roles(request, READER_ROLES)
    filters = f.FilterForm(request.GET, listdef=SUPERVISORS, committee=committee)
    params = filters.params()
    qs = selectors.supervisors_with_counts(
        filter_supervisors(selectors.supervisors_visible_to(request.user, committee), params, clock.today()))
    return list_page(request, SUPERVISORS, qs, "inspections/supervisors.html",
                     {"may_plan": selectors.is_office(request.user, committee), "today": clock.today()},
                     filters=filters, params=params)


def _supervisor_form(request, row):
    committee = _committee(request)
    require_roles(request, OFFICE_ROLES)
    initial = ({"member": row.member_id, "unit": row.unit_id, "requested_on": row.requested_on,
                "term_start": row.term_start, "term_end": row.term_end, "note": row.note} if row else None)
    form = f.SupervisorForm(request.POST or None, committee=committee, initial=initial)
    if request.method == "POST":
        saved = {}

        def call():
            if row is None:
                saved["r"] = services.supervisor_appoint(actor=request.user, committee=committee,
                                                         data=form.data_for_service())
            else:
                saved["r"] = services.supervisor_update(actor=request.user, supervisor=row, data=form.data_for_service(),
                                                        expected_version=request.POST.get("expected_version"))

        if form_call(request, form, call, _("The appointment is saved.")):
            return redirect("inspections:supervisor", saved["r"].pk)
    return render(request, "inspections/supervisor_form.html", {"form": form, "obj": row},
                  status=422 if request.method == "POST" else 200)


@screen
def supervisor_new(request):
    return _supervisor_form(request, None)


@screen
def supervisor_edit(request, pk):
    return _supervisor_form(request, selectors.supervisor_get(request.user, _committee(request), pk))


def _supervisor_page(request, row, form=None, status=200):
    committee = _committee(request)
    own = selectors.member_of(request.user, committee)
    office = selectors.is_office(request.user, committee)
    may_report = office or (own is not None and own.pk == row.member_id)
    return render(request, "inspections/supervisor.html", {
        "obj": row, "office": office, "reports": list(row.reports.all()), "may_report": may_report,
        "form": form or (f.SupervisorReportForm(initial={"date": clock.today()}) if may_report else None),
        "events": audit.timeline(row) if office else [],
    }, status=status)


@screen
def supervisor(request, pk):
    return _supervisor_page(request, selectors.supervisor_get(request.user, _committee(request), pk))


@screen
@require_POST
def supervisor_report(request, pk):
    row = selectors.supervisor_get(request.user, _committee(request), pk)
    form = f.SupervisorReportForm(request.POST)

    def call():
        services.supervisor_report_add(actor=request.user, supervisor=row, data=form.data_for_service())

    if form_call(request, form, call, _("The report is recorded.")):
        return redirect("inspections:supervisor", row.pk)
    return _supervisor_page(request, row, form=form, status=422)


# --- Leaders and members ----------------------------------------------------------------------------------------


@screen
def mine(request):
    committee = _committee(request)
    data = selectors.mine(request.user, committee)
    if not any(data.values()) and selectors.member_of(request.user, committee) is None:
        require_roles(request, {"member", "leader"})
    return render(request, "inspections/mine.html", data)
