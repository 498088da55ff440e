"""The liaison screens (thin: services and selectors do the work). Office staff, administrators and leaders
only: a page is a 404 for anyone else, the same as a missing one.

Registers (every list: filters, sort, pages, search, `?format=xlsx`): reports, approvals (a leader's queue),
rules, tasks, visits, my_visits (a leader's own), suggestions. Detail pages with a form for each action the
Machine offers the user: report (with its Word file; the year's register as Word), task, rule (revise, attach
the text), visit (its people, and each suggestion with its follow-up forms). Errors of the services come back
next to the fields with everything typed kept.
"""

from __future__ import annotations

import tempfile

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Media
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xieshang.core import clock
from xieshang.core.errors import Conflict, Forbidden, NotFound, ServiceError
from xieshang.core.models import Member, Role, SpecialCommittee, User
from xieshang.core.screens import committee_or_404 as _committee
from xieshang.core.screens import form_error, screen
from xieshang.core.screens import require_roles as _require_roles

from . import documents, forms, lists, selectors, services
from .models import TargetKind

READERS = {Role.STAFF, Role.ADMIN, Role.LEADER}
OFFICE = {Role.STAFF, Role.ADMIN}


def _years() -> list[tuple[int, int]]:
    return [(y, y) for y in range(clock.today().year, 2019, -1)]


# --- Registers -----------------------------------------------------------------------------------------------

DETAIL = {"reports": "liaison:report", "rules": "liaison:rule", "tasks": "liaison:task", "visits": "liaison:visit",
          "suggestions": "liaison:visit"}


def _cells(listdef, rows, kind) -> list[dict]:
    """Each row's cells for the page (values as the export reads them; the template formats and escapes)."""
    columns = listdef.layout("page")
    out = []
    for row in rows:
        target = row.visit_id if kind == "suggestions" else row.pk
        cells = []
        for c in columns:
            value = (c.value or (lambda r, labels: getattr(r, c.key, "")))(row, {})
            cells.append({"key": c.key, "label": c.label, "value": "" if value is None else value,
                          "date": c.kind == "date", "link": c is columns[0] or c.key in ("title", "subject", "text")})
        out.append({"pk": row.pk, "target": target, "state": getattr(row, "state", ""), "cells": cells,
                    "late": kind == "tasks" and lists.is_late(row)})
    return out


def _heads(listdef, current):
    current = listdef.sort(current).key
    out = []
    for h in listdef.header("page", current):
        sort = listdef.column(h["key"]).sort
        direction = "asc" if sort and current == sort else ("desc" if sort and current == f"-{sort}" else "")
        out.append({**h, "direction": direction})
    return out


def _register(request, kind, listdef, qs, *, title, choices=None, actions=(), intro=""):
    committee = _committee(request)
    filters = forms.FilterForm(request.GET, listdef=listdef, choices={"year": _years(), **(choices or {})})
    params = filters.params()
    if filters.errors:
        messages.warning(request, _("Some filters were not understood and are not applied."))
    qs = listdef.order(lists.rows(kind, lists.filtered(kind, qs, params)), params.get("sort"))
    if request.GET.get("format") == "xlsx":
        from xieshang.core.exports import XLSX

        handle = tempfile.TemporaryFile()
        rows = qs.iterator(chunk_size=500) if kind != "suggestions" else selectors.with_targets(qs[:20000])
        listdef.write_xlsx(handle, rows, labels={"late": _("late")})
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, content_type=XLSX,
                            filename=f"{listdef.name}-{timezone.localdate():%Y%m%d}.xlsx")
    page = Paginator(qs, listdef.page_size(request.GET.get("page_size"))).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    if kind == "suggestions":
        rows = selectors.with_targets(rows)
    return render(request, "liaison/register.html", {
        "title": title, "kind": kind, "detail": DETAIL[kind], "page_obj": page, "rows": _cells(listdef, rows, kind),
        "heads": _heads(listdef, params.get("sort")), "filters": filters, "actions": actions, "intro": intro,
        "committee": committee,
    })


def _choices(kind) -> dict:
    return {key: [(v, str(label)) for v, label in by_kind[kind]]
            for key, by_kind in lists.CHOICES.items() if kind in by_kind}


def _roles(request):
    from xieshang.core.selectors import roles_of

    return roles_of(request.user, _committee(request))


@screen
def reports(request):
    _require_roles(request, READERS)
    committee = _committee(request)
    office = bool(_roles(request) & OFFICE)
    actions = [("liaison:report_new", _("Draft a report"), "new-report")] if office else []
    year = request.GET.get("year") or str(clock.today().year)
    return _register(request, "reports", lists.REPORTS, selectors.reports_visible_to(request.user, committee),
                     title=_("Reports to the Party committee"), choices=_choices("reports"),
                     actions=actions + [("liaison:register_docx", _("Register as Word"), "register-docx")],
                     intro=year if year.isdigit() else "")


@screen
def approvals(request):
    _require_roles(request, {Role.LEADER})
    committee = _committee(request)
    qs = selectors.reports_visible_to(request.user, committee).filter(state="submitted")
    return _register(request, "reports", lists.APPROVALS, qs, title=_("Party reports to approve"),
                     choices=_choices("reports"))


@screen
def rules(request):
    _require_roles(request, READERS)
    actions = [("liaison:rule_new", _("Record a rule"), "new-rule")] if _roles(request) & OFFICE else []
    return _register(request, "rules", lists.RULES, selectors.rules_visible_to(request.user, _committee(request)),
                     title=_("Working rules"), choices=_choices("rules"), actions=actions)


@screen
def tasks(request):
    _require_roles(request, READERS)
    committee = _committee(request)
    actions = [("liaison:task_new", _("Record a task"), "new-task")] if _roles(request) & OFFICE else []
    owners = [("office", _("the office"))] + [(str(s.pk), s.name) for s in SpecialCommittee.objects.filter(
        committee=committee)]
    return _register(request, "tasks", lists.TASKS, selectors.tasks_visible_to(request.user, committee),
                     title=_("Tasks assigned by the Party committee"), choices={**_choices("tasks"), "owner": owners},
                     actions=actions)


def _leader_choices(committee):
    return [(str(u.pk), u.display_name) for u in _leaders(committee)]


def _leaders(committee):
    return list(User.objects.filter(role_assignments__committee=committee, role_assignments__role=Role.LEADER)
                .distinct().order_by("full_name", "pk"))


@screen
def visits(request):
    _require_roles(request, READERS)
    committee = _committee(request)
    return _register(request, "visits", lists.VISITS, selectors.visits_visible_to(request.user, committee),
                     title=_("Contact visits"), choices={**_choices("visits"), "leader": _leader_choices(committee)},
                     actions=[("liaison:visit_new", _("Record a visit"), "new-visit"),
                              ("liaison:suggestions", _("Suggestions brought back"), "suggestions")])


@screen
def my_visits(request):
    _require_roles(request, {Role.LEADER})
    committee = _committee(request)
    qs = selectors.visits_visible_to(request.user, committee).filter(leader=request.user)
    return _register(request, "visits", lists.MY_VISITS, qs, title=_("My contact visits"),
                     choices=_choices("visits"), actions=[("liaison:visit_new", _("Record a visit"), "new-visit")])


@screen
def suggestions(request):
    _require_roles(request, READERS)
    qs = selectors.suggestions_visible_to(request.user, _committee(request))
    return _register(request, "suggestions", lists.SUGGESTIONS, qs, title=_("Suggestions from contact visits"),
                     choices=_choices("suggestions"))


# --- Creating ---------------------------------------------------------------------------------------------------


def _create(request, form, make, *, title, back, done, multipart=False, extra=None, valid=None):
    """A creating page: the form; on a valid post one service call; its errors next to the fields."""
    if request.method == "POST":
        ok = form.is_valid() and (valid() if valid else True)
        if ok:
            try:
                obj = make()
            except NotFound:
                raise
            except ServiceError as exc:
                form_error(request, form, exc)
            else:
                messages.success(request, done)
                return redirect(back, pk=obj.pk)
        else:
            messages.error(request, _("Please correct the marked fields."))
        if request.FILES:
            messages.warning(request, _("Please choose the file again."))
    return render(request, "liaison/form.html", {"form": form, "title": title, "multipart": multipart,
                                                  **(extra or {})})


@screen
def report_new(request):
    _require_roles(request, OFFICE)
    committee = _committee(request)
    form = forms.ReportForm(request.POST or None)
    return _create(request, form, lambda: services.report_create(actor=request.user, committee=committee,
                                                                 data=form.to_data()),
                   title=_("Draft a report to the Party committee"), back="liaison:report",
                   done=_("The draft is saved."))


@screen
def rule_new(request):
    _require_roles(request, OFFICE)
    committee = _committee(request)
    form = forms.RuleForm(request.POST or None, request.FILES or None)
    return _create(request, form, lambda: services.rule_create(actor=request.user, committee=committee,
                                                               data=form.to_data(),
                                                               file=form.cleaned_data.get("file")),
                   title=_("Record a working rule"), back="liaison:rule", done=_("The rule is recorded."),
                   multipart=True)


@screen
def task_new(request):
    _require_roles(request, OFFICE)
    committee = _committee(request)
    form = forms.TaskForm(request.POST or None, specials=SpecialCommittee.objects.filter(committee=committee))
    return _create(request, form, lambda: services.task_create(actor=request.user, committee=committee,
                                                               data=form.to_data()),
                   title=_("Record a task assigned by the Party committee"), back="liaison:task",
                   done=_("The task is recorded."))


def _visit_form(request, committee, *, instance=None):
    office = bool(_roles(request) & OFFICE)
    members = Member.objects.filter(committee=committee, is_active=True).only("id", "name").order_by("name")
    initial = None
    people_initial = None
    if instance is not None:
        initial = {"date": instance.date, "place": instance.place, "subject": instance.subject,
                   "heard": instance.heard, "leader": instance.leader_id,
                   "companions": [m.pk for m in instance.companions.all()]}
        people_initial = [{"kind": p.kind, "name": p.name, "affiliation": p.affiliation}
                          for p in instance.people.all()]
    form = forms.VisitForm(request.POST or None, initial=initial, leaders=_leaders(committee) if office else (),
                           members=members, with_suggestions=instance is None)
    people = forms.PersonFormSet(request.POST or None, initial=people_initial, prefix="people")
    return form, people


@screen
def visit_new(request):
    _require_roles(request, READERS)
    committee = _committee(request)
    form, people = _visit_form(request, committee)
    return _create(request, form, lambda: services.visit_create(
        actor=request.user, committee=committee, data=form.to_data(forms.people_of(people))),
        title=_("Record a contact visit"), back="liaison:visit", done=_("The visit is recorded."),
        extra={"people": people}, valid=people.is_valid)


@screen
def visit_edit(request, pk):
    committee = _committee(request)
    visit = selectors.visit_get(request.user, committee, pk)
    form, people = _visit_form(request, committee, instance=visit)
    return _create(request, form, lambda: services.visit_update(
        actor=request.user, visit=visit, data=form.to_data(forms.people_of(people))),
        title=_("Correct the visit"), back="liaison:visit", done=_("The visit is saved."),
        extra={"people": people}, valid=people.is_valid)


# --- Detail pages and their actions ---------------------------------------------------------------------------


MACHINES = {"report": lambda: services.REPORT_MACHINE, "task": lambda: services.TASK_MACHINE,
            "suggestion": lambda: services.SUGGESTION_MACHINE}


def _initial(kind, action, obj) -> dict:
    initial = {"expected_version": obj.version}
    today = clock.today()
    if kind == "report":
        if action == "update":
            initial.update(kind=obj.kind, title=obj.title, body=obj.body)
        elif action == "send":
            initial["sent_on"] = today
        elif action == "record_instruction":
            initial["instruction_on"] = today
    if kind == "task" and action == "extend":
        initial["due_on"] = obj.due_on
    return initial


def _entries(request, kind, obj, *, ctx=None, bound=None) -> list[dict]:
    machine = MACHINES[kind]()
    table = forms.ACTION_FORMS[kind]
    offered = [t for t in machine.available(request.user, obj) if t.action in table]
    bound_action, bound_form = bound or (None, None)
    entries = []
    for t in offered:
        form = bound_form if t.action == bound_action else table[t.action](
            ctx=ctx or {}, action=f"{kind}{obj.pk}_{t.action}", initial=_initial(kind, t.action, obj))
        entries.append({"action": t.action, "label": t.label, "form": form, "open": form.is_bound,
                        "fields": bool(form.visible_fields()), "danger": t.action in forms.DANGER})
    if bound_action and bound_action not in {t.action for t in offered}:
        t = machine.transition(bound_action)
        entries.insert(0, {"action": t.action, "label": t.label, "form": bound_form, "open": True, "fields": True,
                           "danger": False})
    return entries


def _run_form(request, form, run, done, back):
    """A posted form: when valid, one service call (`run(data, expected_version)`); success → `back()` with
    `done` as the message; else the status of the page shown again (the errors next to the fields, what was
    typed kept; 409 for a stale page, 403 for a refused action). Returns (response or None, status)."""
    if not form.is_valid():
        messages.error(request, _("Please correct the marked fields."))
        return None, 200
    try:
        run(form.to_data(), form.cleaned_data.get("expected_version"))
    except NotFound:
        raise
    except Conflict as exc:
        messages.error(request, str(exc.message))
        return None, 409
    except ServiceError as exc:
        form_error(request, form, exc)
        return None, 403 if isinstance(exc, Forbidden) else 200
    messages.success(request, done())
    return back(), 200


def _act(request, kind, obj, action, *, ctx, run, back, render_page):
    table = forms.ACTION_FORMS[kind]
    if action not in table:
        raise Http404
    form = table[action](request.POST, ctx=ctx, action=f"{kind}{obj.pk}_{action}")
    response, status = _run_form(request, form, run, back=back, done=lambda: _("Done: %(action)s.") % {
        "action": MACHINES[kind]().transition(action).label})
    return response or render_page((action, form), status)


def _report_page(request, report, bound=None, status=200):
    entries = _entries(request, "report", report, bound=bound)
    return render(request, "liaison/report_detail.html", {
        "report": report, "actions": entries, "media": sum((e["form"].media for e in entries), Media()),
        "events": selectors.timeline_of(report)}, status=status)


@screen
def report(request, pk):
    return _report_page(request, selectors.report_get(request.user, _committee(request), pk))


@screen
@require_POST
def report_act(request, pk, action):
    return _object_act(request, "report", pk, action)


@screen
def report_docx(request, pk):
    from xieshang.core.screens import docx_response

    found = selectors.report_get(request.user, _committee(request), pk)
    return docx_response(documents.report_docx(found), documents.report_filename(found))


@screen
def register_docx(request):
    from xieshang.core.screens import docx_response
    from xieshang.opinions.document_views import year_of

    _require_roles(request, READERS)
    year = year_of(request.GET.get("year")) or clock.today().year
    return docx_response(documents.register_docx(_committee(request), year), documents.register_filename(year))


def _task_page(request, task, bound=None, status=200):
    entries = _entries(request, "task", task, bound=bound)
    return render(request, "liaison/task_detail.html", {
        "task": task, "actions": entries, "media": sum((e["form"].media for e in entries), Media()),
        "events": selectors.timeline_of(task), "notes": list(task.notes.all()), "late": lists.is_late(task),
        "origin": selectors.origin_of(task), "deadlines": _deadlines(task)}, status=status)


def _deadlines(obj):
    from xieshang.core import deadlines as dl

    return list(dl.deadlines_of(obj))


@screen
def task(request, pk):
    return _task_page(request, selectors.task_get(request.user, _committee(request), pk))


@screen
@require_POST
def task_act(request, pk, action):
    return _object_act(request, "task", pk, action)


def _object_act(request, kind, pk, action):
    """One action from its form on a report's or task's page (the page again with the form's errors)."""
    committee = _committee(request)
    get, page = {"report": (selectors.report_get, _report_page), "task": (selectors.task_get, _task_page)}[kind]
    found = get(request.user, committee, pk)
    return _act(request, kind, found, action, ctx={},
                run=lambda data, version: MACHINES[kind]().act(actor=request.user, obj=found, action=action,
                                                               data=data, expected_version=version),
                back=lambda: redirect(f"liaison:{kind}", pk=found.pk),
                render_page=lambda bound, status: page(request, get(request.user, committee, pk), bound, status))


def _rule_page(request, rule, form=None, status=200):
    from xieshang.core.attachments import attachments_of

    versions = list(rule.versions.order_by("number"))
    for v in versions:
        v.files = list(attachments_of(v))
    office = bool(_roles(request) & OFFICE)
    if office and form is None:
        form = forms.RevisionForm(initial={"expected_version": rule.version, "date": clock.today()})
    return render(request, "liaison/rule_detail.html", {
        "rule": rule, "versions": versions, "current": versions[-1] if versions else None,
        "form": form if office else None, "events": selectors.timeline_of(rule)}, status=status)


@screen
def rule(request, pk):
    return _rule_page(request, selectors.rule_get(request.user, _committee(request), pk))


@screen
@require_POST
def rule_revise(request, pk):
    committee = _committee(request)
    found = selectors.rule_get(request.user, committee, pk)
    form = forms.RevisionForm(request.POST, request.FILES)
    response, status = _run_form(
        request, form, lambda data, version: services.rule_revise(
            actor=request.user, rule=found, data=data, file=form.cleaned_data.get("file"), expected_version=version),
        done=lambda: _("The revision is recorded."), back=lambda: redirect("liaison:rule", pk=found.pk))
    if response is not None:
        return response
    return _rule_page(request, selectors.rule_get(request.user, committee, pk), form, status)


@screen
def rule_file(request, pk, attachment_id):
    from xieshang.core.attachments import attachment_download
    from xieshang.core.models import Attachment

    found = selectors.rule_get(request.user, _committee(request), pk)
    row = Attachment.objects.filter(pk=attachment_id, committee_id=found.committee_id).first()
    versions = {str(v.pk) for v in found.versions.all()}
    if row is None or row.object_id not in versions:
        raise Http404
    version = found.versions.get(pk=int(row.object_id))
    return attachment_download(version, attachment_id, visible=True)


def _convert_ctx(request, committee) -> dict:
    from xieshang.grassroots.models import Place
    from xieshang.grassroots.selectors import may_record_demand

    # a user who may not record a demand (e.g. a visiting leader without a member record) is not offered one
    targets = [c for c in TargetKind.choices if c[0] != TargetKind.DEMAND or may_record_demand(request.user, committee)]
    return {"targets": targets,
            "members": list(Member.objects.filter(committee=committee, is_active=True, user__isnull=False)
                            .only("id", "name").order_by("name")),
            "places": list(Place.objects.filter(committee=committee).only("id", "name").order_by("name")),
            "specials": list(SpecialCommittee.objects.filter(committee=committee))}


def _visit_page(request, visit, bound=None, status=200):
    committee = visit.committee
    rows = selectors.with_targets(visit.suggestions.order_by("id"))
    ctx = None
    for row in rows:
        if row.state == "open" and ctx is None:
            ctx = _convert_ctx(request, committee)
        mine = bound if bound and bound[0] == row.pk else None
        row.actions = _entries(request, "suggestion", row, ctx=ctx or {}, bound=mine[1:] if mine else None)
    people = list(visit.people.all())
    from django.db.models import Count

    by_kind = {k: n for k, n in visit.people.values_list("kind").annotate(n=Count("pk"))}
    from .models import PersonKind

    may_edit = bool(_roles(request) & OFFICE) or visit.leader_id == request.user.pk
    return render(request, "liaison/visit_detail.html", {
        "visit": visit, "people": people, "suggestions": rows, "may_edit": may_edit,
        "by_kind": [(label, by_kind[k]) for k, label in PersonKind.choices if by_kind.get(k)],
        "add_form": forms.SuggestionForm() if may_edit else None, "events": selectors.timeline_of(visit),
        "media": sum((e["form"].media for r in rows for e in r.actions), Media()),
    }, status=status)


@screen
def visit(request, pk):
    return _visit_page(request, selectors.visit_get(request.user, _committee(request), pk))


@screen
@require_POST
def suggestion_add(request, pk):
    committee = _committee(request)
    found = selectors.visit_get(request.user, committee, pk)
    form = forms.SuggestionForm(request.POST)
    if form.is_valid():
        try:
            services.suggestion_add(actor=request.user, visit=found, data=form.cleaned_data)
        except NotFound:
            raise
        except ServiceError as exc:
            form_error(request, form, exc)
            if isinstance(exc, Forbidden):
                raise
        else:
            messages.success(request, _("The suggestion is recorded."))
    else:
        messages.error(request, _("Please correct the marked fields."))
    return redirect("liaison:visit", pk=found.pk)


@screen
@require_POST
def suggestion_act(request, pk, action):
    committee = _committee(request)
    found = selectors.suggestion_get(request.user, committee, pk)
    ctx = _convert_ctx(request, committee) if action == "convert" else {}
    return _act(request, "suggestion", found, action, ctx=ctx,
                run=lambda data, version: services.suggestion_act(actor=request.user, suggestion=found,
                                                                  action=action, data=data, expected_version=version),
                back=lambda: redirect(f"{selectors.url_or_hash('liaison:visit', found.visit_id)}#s{found.pk}"),
                render_page=lambda bound, status: _visit_page(
                    request, selectors.visit_get(request.user, committee, found.visit_id),
                    (found.pk, *bound), status))

