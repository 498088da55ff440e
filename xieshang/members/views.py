"""The duty screens. Thin: read the form, call one service or selector, render.

- 我的履职 (`members:my_duty`): the signed-in member's facts of a year and the score with its arithmetic.
- A member's duty (`members:member_duty`): the same page for the office and leaders (and the member).
- 履职考核规则 (`members:rules`): the office edits the year's rules as a table (the Excel sheet's columns, one
  line of the rules a row), saves it (a stale version is refused: reload), tries the draft on a sample year
  without saving, downloads and imports it as Excel or JSON.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from xieshang.core import clock
from xieshang.core import duty as duty_ledger
from xieshang.core.errors import Conflict, Invalid
from xieshang.core.models import Role
from xieshang.core.screens import committee_or_404, require_roles, screen
from xieshang.core.selectors import member_of
from xieshang.core.workflow import as_id

from . import rules, selectors, services, tables
from .models import YEAR_MAX, YEAR_MIN

OFFICE_ROLES = {Role.STAFF, Role.ADMIN}
BLANK_ROWS = 5
MAX_ROWS = 500
MAX_TRY_UNITS = 1000


def _year(request) -> int:
    text = request.GET.get("year") or request.POST.get("year") or ""
    if text.isascii() and text.isdigit() and YEAR_MIN <= int(text) <= YEAR_MAX:
        return int(text)
    return clock.today().year


def _years(year: int) -> list[int]:
    this = clock.today().year
    return sorted({this - 2, this - 1, this, this + 1, year}, reverse=True)


# --- A member's duty -------------------------------------------------------------------------------------


def _duty_page(request, member_id, year, *, own: bool, typed=None, errors=None, status=200):
    duty = selectors.member_duty(request.user, member_id, year)
    committee = duty.member.committee
    is_own = duty.member.user_id == request.user.pk
    office = selectors.is_office(request.user, committee)
    return render(request, "members/duty.html", {
        "duty": duty, "result": duty.result, "year": year, "years": _years(year), "own": own,
        "facts": [_fact_row(f, duty.attachments) for f in duty.facts],
        "unmapped": [duty_ledger.kind_label(k) for k in duty.unmapped],
        "score": duty.score, "adjustments": duty.adjustments, "queries": duty.queries, "steps": duty.steps,
        "can_add": office, "can_answer": office, "can_adjust": selectors.is_leader(request.user,
                                                                                                  committee),
        "can_query": is_own, "typed": typed or {}, "errors": errors or {},
        "kinds": [(code, str(label)) for code, label in rules.KINDS.items()], "today": clock.today(),
    }, status=status)


def _fact_row(fact, attachments=None) -> dict:
    return {"id": fact.pk, "date": fact.occurred_on, "label": duty_ledger.kind_label(fact.kind),
            "title": fact.target_title, "quantity": fact.quantity, "authors": fact.authors, "lead": fact.lead,
            "note": fact.note, "by_hand": fact.kind.startswith(rules.MANUAL_PREFIX),
            "object_id": fact.object_id,
            "files": (attachments or {}).get(fact.object_id, []) if fact.kind.startswith(rules.MANUAL_PREFIX) else [],
            "counts_as": [rules.kind_label(k) for k in rules.LEDGER_MAP.get(fact.kind, ())]}


@screen
def my_duty(request):
    """The signed-in member's own duty in the current committee (404 for a user who is no member of it)."""
    committee = committee_or_404(request)
    member = member_of(request.user, committee)
    if member is None:
        raise Http404
    return _duty_page(request, member.pk, _year(request), own=True)


@screen
def member_duty(request, pk):
    return _duty_page(request, pk, _year(request), own=False)


# --- The rules -------------------------------------------------------------------------------------------


def _posted_rows(post) -> list[tuple[int, dict]]:
    """The table's rows as posted (r-<i>-<column key>), numbered from 1, empty rows left out."""
    try:
        count = min(int(post.get("rows", "0")), MAX_ROWS)
    except ValueError:
        count = 0
    rows = []
    for index in range(count):
        values = {c.key: (post.get(f"r-{index}-{c.key}") or "").strip()[:200] for c in tables.COLUMNS}
        if any(v for k, v in values.items() if k != "label"):
            rows.append((index + 1, values))
    return rows


def _try_facts(post) -> tuple[list[dict], dict[str, str]]:
    """The sample year of the try-out: for each kind, how many (facts of one unit; a fraction is one more fact
    of that many half-days)."""
    facts, typed = [], {}
    for kind in rules.KINDS:
        text = (post.get(f"try-{kind}") or "").strip()[:12]
        if not text:
            continue
        typed[kind] = text
        try:
            amount = Decimal(text)
        except InvalidOperation:
            continue
        if not amount.is_finite() or amount <= 0:
            continue
        amount = min(amount, Decimal(MAX_TRY_UNITS))
        whole = math.floor(amount)
        facts += [{"kind": kind, "quantity": 1}] * whole
        if amount - whole:
            facts.append({"kind": kind, "quantity": amount - whole})
    return facts, typed


def _display_rows(rows: list[dict]) -> list[dict]:
    out = [{c.key: ("" if row.get(c.key) is None else row.get(c.key)) for c in tables.COLUMNS} for row in rows]
    blank = {c.key: "" for c in tables.COLUMNS}
    return out + [dict(blank) for _ in range(BLANK_ROWS)]


@screen
def rules_edit(request):
    committee = committee_or_404(request)
    require_roles(request, OFFICE_ROLES)
    year = _year(request)
    saved = selectors.duty_rules_get(request.user, committee, year)
    rows = tables.table_rows(saved.document) if saved.pk else []
    version = saved.version
    problems: list[str] = []
    result = None
    facts, typed = [], {}
    if request.method == "POST":
        op = request.POST.get("op")
        version = request.POST.get("version", "")
        try:
            if op == "import":
                upload = request.FILES.get("file")
                importer = (services.duty_rules_import_json if getattr(upload, "name", "").lower().endswith(".json")
                            else services.duty_rules_import_xlsx)
                importer(actor=request.user, committee=committee, year=year, file=upload, version=version)
                messages.success(request, _("The rules are imported."))
                return redirect(reverse("members:rules") + f"?year={year}")
            posted = _posted_rows(request.POST)
            rows = [values for _n, values in posted]
            document = tables.document_from_rows(posted, field="table")
            if op == "try":
                facts, typed = _try_facts(request.POST)
                result = selectors.duty_evaluate(request.user, committee, document, facts).result
            else:
                services.duty_rules_put(actor=request.user, committee=committee, year=year, document=document,
                                        version=version)
                messages.success(request, _("The rules of %(year)d are saved.") % {"year": year})
                return redirect(reverse("members:rules") + f"?year={year}")
        except Conflict as exc:
            messages.error(request, str(exc.message))
        except Invalid as exc:
            messages.error(request, str(exc.message))
            for field, found in exc.field_errors.items():
                problems += [str(m) for m in found] if field in ("table", "file") else [f"{field}: {m}" for m in found]
    return render(request, "members/rules.html", {
        "year": year, "years": _years(year), "saved": saved, "version": version, "rows": _display_rows(rows),
        "row_count": len(rows) + BLANK_ROWS, "problems": problems, "result": result, "try_facts": facts,
        "kinds": [(code, str(label)) for code, label in rules.KINDS.items()],
        "try_rows": [(code, str(label), typed.get(code, "")) for code, label in rules.KINDS.items()],
        "pers": [(code, str(label)) for code, label in rules.PER.items()],
        "row_kinds": [("base", _("base")), ("band", _("band")), ("category", _("category")), ("item", _("item"))],
        "typed": typed,
    })


def _download(request, year: int, kind: str):
    committee = committee_or_404(request)
    require_roles(request, OFFICE_ROLES)
    row = selectors.duty_rules_get(request.user, committee, year)
    return tables.download(row.document, row.year, kind)


@screen
def rules_xlsx(request, year):
    return _download(request, year, "xlsx")


@screen
def rules_json(request, year):
    return _download(request, year, "json")


# --- The committee's members (履职档案 list) and the actions on a member's page -------------------------------


@screen
def member_list(request):
    """The committee's members with the year's total, band and ranks (staff, administrators, leaders): filters,
    sorts, pages, search; `?format=xlsx`: the score table as Excel."""
    from . import lists

    committee = committee_or_404(request)
    year = _year(request)
    table = selectors.committee_scores(request.user, committee, year)
    rows = lists.filtered(table.rows, request.GET)
    if request.GET.get("format") == "xlsx":
        return _scores_xlsx(committee, year, rows)
    from xieshang.core.models import Sector, SpecialCommittee

    return render(request, "members/list.html", {
        "year": year, "years": _years(year), "table": table, "page_obj": lists.page_of(rows, request),
        "heads": _heads(request.GET.get("sort")), "sectors": Sector.objects.filter(committee=committee),
        "specials": SpecialCommittee.objects.filter(committee=committee), "bands": table.bands,
        "q": request.GET.get("q", "")[:40], "sector": lists.as_int(request.GET.get("sector")),
        "special": lists.as_int(request.GET.get("special")), "band": request.GET.get("band", "")[:60],
        "sort": lists.SCORES.sort(request.GET.get("sort")).key, "sorts": lists.SCORES.sort_choices(),
    })


def _heads(current):
    from xieshang.core.lists import heads

    from .lists import SCORES

    return heads(SCORES, current)


def _scores_xlsx(committee, year: int, rows):
    import io

    from django.http import HttpResponse
    from django.utils.http import content_disposition_header

    from xieshang.core.exports import XLSX

    from .lists import SCORES

    handle = io.BytesIO()
    heading = _("%(committee)s: duty scores of %(year)d") % {"committee": committee.name, "year": year}
    SCORES.write_xlsx(handle, rows, heading=heading)
    response = HttpResponse(handle.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"duty-scores-{year}.xlsx")
    return response


def _posted(request, *keys) -> dict:
    return {key: (request.POST.get(key) or "")[:600] for key in keys}


def _errors(exc: Invalid) -> dict:
    return {field: "; ".join(str(m) for m in messages_) for field, messages_ in (exc.field_errors or {}).items()}


@screen
def fact_add(request, pk):
    """补录 (office): a fact the platform could not know, for this member; errors keep what was typed."""
    if request.method != "POST":
        return redirect("members:member_duty", pk=pk)
    committee = committee_or_404(request)
    typed = _posted(request, "kind", "quantity", "date", "note")
    year = _year(request)
    try:
        row = services.manual_fact_add(actor=request.user, committee=committee, member=pk, kind=typed["kind"],
                                       quantity=typed["quantity"] or "1", occurred_on=typed["date"],
                                       note=typed["note"], attachment=request.FILES.get("attachment"))
    except Invalid as exc:
        messages.error(request, str(exc.message))
        return _duty_page(request, pk, year, own=False, typed={"add": typed}, errors={"add": _errors(exc)},
                          status=422)
    messages.success(request, _("The fact is added to the record."))
    return redirect(reverse("members:member_duty", args=[pk]) + f"?year={row.occurred_on.year}")


@screen
def fact_remove(request, pk):
    """Withdraw a fact added by hand by mistake (office), with a reason."""
    from .models import ManualFact

    committee = committee_or_404(request)
    row = ManualFact.objects.filter(pk=pk, committee=committee).first()
    if row is None:
        raise Http404
    back = reverse("members:member_duty", args=[row.member_id]) + f"?year={row.occurred_on.year}"
    if request.method != "POST":
        return redirect(back)
    try:
        services.manual_fact_remove(actor=request.user, committee=committee, manual_fact=row.pk,
                                    reason=request.POST.get("reason", "")[:600])
        messages.success(request, _("The fact is withdrawn."))
    except Invalid:
        messages.error(request, _("Give the reason for withdrawing the fact."))
    return redirect(back)


@screen
def score_adjust(request, pk):
    """A leader's adjustment of the member's score of the year, with a reason."""
    if request.method != "POST":
        return redirect("members:member_duty", pk=pk)
    committee = committee_or_404(request)
    typed = _posted(request, "points", "reason")
    year = _year(request)
    try:
        services.score_adjust(actor=request.user, committee=committee, member=pk, year=year,
                              points=typed["points"], reason=typed["reason"])
    except Invalid as exc:
        messages.error(request, str(exc.message))
        return _duty_page(request, pk, year, own=False, typed={"adjust": typed}, errors={"adjust": _errors(exc)},
                          status=422)
    messages.success(request, _("The adjustment is recorded."))
    return redirect(reverse("members:member_duty", args=[pk]) + f"?year={year}")


@screen
def fact_query(request, fact_id):
    """质疑: the member asks the office about a fact of their own record."""
    if request.method != "POST":
        return redirect("members:my_duty")
    committee = committee_or_404(request)
    typed = _posted(request, "note")
    year = _year(request)
    try:
        services.fact_query_add(actor=request.user, committee=committee, fact_id=fact_id, note=typed["note"])
    except Invalid as exc:
        messages.error(request, str(exc.message))
        member = member_of(request.user, committee)
        return _duty_page(request, member.pk, year, own=True, typed={"query": typed, "query_fact": fact_id},
                          errors={"query": _errors(exc)}, status=422)
    messages.success(request, _("Your query is sent to the office."))
    return redirect(reverse("members:my_duty") + f"?year={year}")


@screen
def queries(request):
    """The office's desk of members' queries about facts: open ones first, each with its answer form; the
    answered ones with who answered. A bad answer keeps what was typed under its query."""
    committee = committee_or_404(request)
    require_roles(request, OFFICE_ROLES)
    state = request.GET.get("state", "open")
    state = state if state in selectors.QUERY_STATES else "open"
    typed, errors, status = {}, {}, 200
    if request.method == "POST":
        typed = {"query": request.POST.get("query", ""), "answer": request.POST.get("answer", "")[:600]}
        try:
            services.fact_query_answer(actor=request.user, committee=committee, query_id=typed["query"],
                                       answer=typed["answer"])
        except Invalid as exc:
            messages.error(request, str(exc.message))
            errors, status = _errors(exc), 422
        else:
            messages.success(request, _("The answer is sent to the member."))
            return redirect(reverse("members:queries") + f"?state={state}")
    page = selectors.fact_queries(request.user, committee, state=state, page=request.GET.get("page", 1))
    page.query = f"state={state}"
    return render(request, "members/queries.html", {
        "page": page, "state": state, "states": selectors.QUERY_STATES, "typed": typed, "errors": errors,
        "typed_query": as_id(typed.get("query")),
    }, status=status)


@screen
def fact_attachment(request, pk, attachment_id):
    """The attachment of a fact added by hand: for those who may see the member's duty (else 404)."""
    from xieshang.core.attachments import attachment_download

    from .models import ManualFact

    row = ManualFact.objects.filter(pk=pk).first()
    if row is None:
        raise Http404
    selectors.member_get(request.user, row.member_id)
    return attachment_download(row, attachment_id, visible=True)


# --- Alerts (预警) ---------------------------------------------------------------------------------------------


def _alerts_page(request, committee, year, *, typed=None, errors=None, status=200):
    from . import alerts
    from .models import ProcedureStep

    found = alerts.committee_alerts(request.user, committee, year)
    return render(request, "members/alerts.html", {
        "year": year, "years": _years(year), "found": found, "steps": ProcedureStep.Step.choices,
        "typed": typed or {}, "errors": errors or {}, "today": clock.today(),
    }, status=status)


@screen
def alerts_page(request):
    """The year's alerts (office): who, why, the procedure so far; the committee's date for a proposal or report;
    reminders to the chosen members."""
    committee = committee_or_404(request)
    require_roles(request, OFFICE_ROLES)
    year = _year(request)
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "setting":
                services.alert_setting_put(actor=request.user, committee=committee, year=year,
                                           output_due=request.POST.get("output_due", "")[:20])
                messages.success(request, _("The date is saved."))
            else:
                count = services.alerts_remind(actor=request.user, committee=committee, year=year,
                                               member_ids=request.POST.getlist("members")[:1000])
                messages.success(request, _("%(n)d reminders sent.") % {"n": count})
        except Invalid as exc:
            messages.error(request, str(exc.message))
            return _alerts_page(request, committee, year, typed={"setting": _posted(request, "output_due")},
                                errors={"setting": _errors(exc)}, status=422)
        return redirect(reverse("members:alerts") + f"?year={year}")
    return _alerts_page(request, committee, year)


@screen
def procedure(request, pk):
    """Record a step of the non-performance procedure for the member (office)."""
    if request.method != "POST":
        return redirect("members:alerts")
    committee = committee_or_404(request)
    year = _year(request)
    typed = _posted(request, "step", "taken_on", "note")
    try:
        services.procedure_record(actor=request.user, committee=committee, member=pk, year=year, step=typed["step"],
                                  taken_on=typed["taken_on"], note=typed["note"])
    except Invalid as exc:
        messages.error(request, str(exc.message))
        return _alerts_page(request, committee, year, typed={"procedure": typed, "procedure_member": pk},
                            errors={"procedure": _errors(exc)}, status=422)
    messages.success(request, _("The step is recorded."))
    return redirect(reverse("members:alerts") + f"?year={year}")


# --- Training (学习培训) ---------------------------------------------------------------------------------------


@screen
def courses(request):
    """The year's courses; the office adds one (errors keep what was typed); a member enrols in one."""
    committee = committee_or_404(request)
    year = _year(request)
    typed, errors, status = {}, {}, 200
    if request.method == "POST":
        typed = _posted(request, "title", "kind", "held_on", "hours", "place")
        try:
            course = services.course_save(actor=request.user, committee=committee, **typed)
            messages.success(request, _("The course is saved."))
            return redirect("members:course", pk=course.pk)
        except Invalid as exc:
            messages.error(request, str(exc.message))
            errors, status = _errors(exc), 422
    from .models import Course

    return render(request, "members/courses.html", {
        "year": year, "years": _years(year), "courses": selectors.courses(request.user, committee, year),
        "is_office": selectors.is_office(request.user, committee), "typed": typed, "errors": errors,
        "kinds": Course.Kind.choices, "today": clock.today(),
    }, status=status)


@screen
def course(request, pk):
    """A course: who is enrolled and who attended (office and leaders), enrol members and record attendance
    (office); a member sees and makes their own enrolment."""
    committee = committee_or_404(request)
    row = selectors.course_get(request.user, committee, pk)
    if request.method == "POST":
        op = request.POST.get("op")
        try:
            if op == "enrol_me":
                services.enrol(actor=request.user, committee=committee, course=row.pk)
                messages.success(request, _("You are enrolled."))
            elif op == "enrol":
                count = services.enrol(actor=request.user, committee=committee, course=row.pk,
                                       member_ids=request.POST.getlist("members")[:1000])
                messages.success(request, _("%(n)d members enrolled.") % {"n": count})
            else:
                services.attendance_record(actor=request.user, committee=committee, course=row.pk,
                                           present_ids=request.POST.getlist("present")[:1000])
                messages.success(request, _("The attendance is recorded."))
        except Invalid as exc:
            messages.error(request, str(exc.message))
        return redirect("members:course", pk=row.pk)
    is_office = selectors.is_office(request.user, committee)
    enrolled = {e.member_id for e in row.enrolment_rows}
    from xieshang.core.models import Member
    from xieshang.core.selectors import member_of

    others = (list(Member.objects.filter(committee=committee, is_active=True).exclude(pk__in=enrolled)
                   .only("name").order_by("name")) if is_office else [])
    me = member_of(request.user, committee)
    return render(request, "members/course.html", {
        "course": row, "is_office": is_office, "others": others, "me": me,
        "mine": next((e for e in row.enrolment_rows if me and e.member_id == me.pk), None),
        "can_enrol": me is not None and row.held_on >= clock.today() and not row.attendance_taken,
        "half_days": services.half_days(row),
    })


# --- The yearly duty report (委员年度履职报告) -------------------------------------------------------------------


@screen
def duty_docx(request, pk):
    """A member's yearly duty report as Word: the member themself, the office and leaders (404 for others)."""
    from xieshang.core.screens import docx_response

    from . import documents

    year = _year(request)
    member = selectors.member_get(request.user, pk)
    return docx_response(documents.report_of(request.user, member.pk, year), documents.filename(member, year))


@screen
def duty_reports_export(request):
    """Every member's yearly duty report in one Word file, prepared in the background (office and leaders)."""
    from xieshang.core.services import export_request

    committee = committee_or_404(request)
    require_roles(request, selectors.READER_ROLES)
    year = _year(request)
    if request.method != "POST":
        return redirect(reverse("members:list") + f"?year={year}")
    export_request(actor=request.user, committee=committee, kind="members-duty-reports", params={"year": str(year)})
    messages.success(request, _("The reports are being prepared in the background. You will be notified when they "
                                "are ready."))
    return redirect("core:exports")
