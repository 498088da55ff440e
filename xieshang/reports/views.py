"""The statistics pages, their export, the records behind each figure, the import of past proposals
and the Word documents. Thin: check through selectors, compute or call one service, render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xieshang.core import categories
from xieshang.core.documents import DOCX
from xieshang.core.errors import Invalid, NotFound, ServiceError, page_error
from xieshang.core.imports import XLSX_CONTENT_TYPE
from xieshang.core.middleware import committee_of_request
from xieshang.core.selectors import has_role
from xieshang.proposals import documents, imports
from xieshang.proposals import selectors as proposal_selectors
from xieshang.proposals.models import Reply
from xieshang.proposals.services import proposals_import

from . import charts, exports
from .forms import ProposalImportForm, StatisticsFilterForm
from .proposal_stats import FIGURES, RATES, UnknownFigure, figure_list_params, proposal_statistics, proposal_statistics_records
from .selectors import IMPORT_ROLES, default_year, import_committee, statistics_committee

RECORDS_PER_PAGE = 50

CARD_GROUPS = [
    (gettext_lazy("Registration"), ("received", "to_review", "under_review", "registered", "merged", "converted", "rejected",
                                    "withdrawn")),
    (gettext_lazy("Handling"), ("replied", "key", "supervised", "excellent")),
    (gettext_lazy("Replies"), ("replies", "outcome_a", "outcome_b", "outcome_c", "on_time")),
    (gettext_lazy("Evaluation"), ("evaluated", "satisfied", "basically_satisfied", "dissatisfied", "not_evaluated")),
]


def _stats_committee(request):
    try:
        return statistics_committee(request.user, committee_of_request(request))
    except NotFound as exc:
        raise page_error(exc) from None


def _filters(request, committee) -> tuple[StatisticsFilterForm, dict]:
    data = request.GET.copy()
    if "year" not in data and "session" not in data:
        year = default_year(committee)
        data["year"] = str(year) if year else ""
    form = StatisticsFilterForm(data, committee=committee)
    return form, form.filters()


def _scope_label(filters) -> str:
    if filters["session"] is not None:
        return f"{filters['session']}（{filters['session'].year}）"
    if filters["year"]:
        return str(filters["year"])
    return _("All years")


def _query(filters, **extra) -> str:
    params = {}
    if filters["year"]:
        params["year"] = filters["year"]
    if filters["session"] is not None:
        params["session"] = filters["session"].pk
    params.update({k: v for k, v in extra.items() if v is not None})
    return urlencode(params)


def _records_url(filters, figure, **extra) -> str:
    return reverse("reports:proposals_records") + "?" + _query(filters, figure=figure, **extra)


@login_required
def proposals(request):
    committee = _stats_committee(request)
    form, filters = _filters(request, committee)
    stats = proposal_statistics(committee, year=filters["year"], session=filters["session"])

    def card(key):
        return {"key": key, "label": FIGURES[key].label, "value": stats[key], "url": _records_url(filters, key)}

    groups = [{"title": title, "cards": [card(k) for k in keys]} for title, keys in CARD_GROUPS]
    rates = [
        {"key": "reply_rate", "label": RATES["reply_rate"], "display": stats["reply_rate_display"],
         "meter": charts.meter_class(stats["reply_rate"]),
         "parts": [card("replied"), card("registered")]},
        {"key": "satisfaction_rate", "label": RATES["satisfaction_rate"], "display": stats["satisfaction_rate_display"],
         "meter": charts.meter_class(stats["satisfaction_rate"]),
         "parts": [card("satisfied"), card("basically_satisfied"), card("evaluated")]},
        {"key": "on_time_reply_rate", "label": RATES["on_time_reply_rate"], "display": stats["on_time_reply_rate_display"],
         "meter": charts.meter_class(stats["on_time_reply_rate"]),
         "parts": [card("on_time"), card("replies")]},
    ]
    flow_chart = charts.bar_chart([
        (FIGURES[k].label, stats[k], f"bar-{k}", _records_url(filters, k)) for k in ("received", "registered", "replied")
    ])
    outcome_chart = charts.bar_chart([
        (short, stats[k], f"bar-{k}", _records_url(filters, k), FIGURES[k].label)
        for k, short in (("outcome_a", _("Class A")), ("outcome_b", _("Class B")), ("outcome_c", _("Class C")))
    ])
    evaluation_chart = charts.bar_chart([
        (FIGURES[k].label, stats[k], f"bar-{k}", _records_url(filters, k))
        for k in ("satisfied", "basically_satisfied", "dissatisfied", "not_evaluated")
    ])
    for row in stats["by_unit"]:
        row["meter"] = charts.meter_class(row["reply_rate"])
        row["urls"] = {f: _records_url(filters, f, unit=row["unit_id"]) for f in (
            "assignments", "answering", "co", "replies", "on_time", "outcome_a", "outcome_b", "outcome_c")}
    for name, rows in (("category", stats["by_category"]), ("sector", stats["by_sector"])):
        for row in rows:
            row["meter"] = charts.meter_class(row["reply_rate"])
            row["urls"] = {f: _records_url(filters, f, **{name: row["key"]}) for f in ("received", "registered", "replied")}
            params = {name: row["key"], **({"year": filters["year"]} if filters["year"] else {})}
            if filters["session"] is not None:
                params["session"] = filters["session"].pk
            row["list_url"] = _list_url(params) if row["key"] else ""
    return render(request, "reports/proposals.html", {
        "form": form, "stats": stats, "groups": groups, "rates": rates, "scope_label": _scope_label(filters),
        "flow_chart": flow_chart, "outcome_chart": outcome_chart, "evaluation_chart": evaluation_chart,
        "export_url": reverse("reports:proposals_export") + "?" + _query(filters),
        "import_url": reverse("reports:import_proposals") if has_role(request.user, committee, *IMPORT_ROLES) else "",
        "committee": committee,
    })


def _list_url(params: dict) -> str:
    url = proposal_selectors.url_or_hash("proposals:list")
    return "" if url == "#" else url + "?" + urlencode(params)


@login_required
def proposals_export(request):
    committee = _stats_committee(request)
    _form, filters = _filters(request, committee)
    stats = proposal_statistics(committee, year=filters["year"], session=filters["session"])
    content = exports.statistics_workbook(stats, _scope_label(filters), committee.name)
    scope = filters["session"].year if filters["session"] is not None else (filters["year"] or _("all"))
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"提案统计_{committee.code}_{scope}.xlsx")
    return response


@login_required
def proposals_records(request):
    """The records behind one figure (and breakdown row): the proof of every number on the page."""
    committee = _stats_committee(request)
    _form, filters = _filters(request, committee)
    figure = request.GET.get("figure", "")
    unit = request.GET.get("unit") or None
    if unit is not None and not (unit.isascii() and unit.isdigit() and len(unit) < 19):
        raise Http404
    category = request.GET.get("category") or None
    if category is not None and category not in categories.catalogue(committee):
        raise Http404
    sector = request.GET.get("sector")
    try:
        records = proposal_statistics_records(
            committee, figure, year=filters["year"], session=filters["session"], unit=unit, category=category,
            sector=sector,
        )
    except UnknownFigure:
        raise Http404 from None
    kind = FIGURES[figure].model
    if kind == "proposal":
        records = records.select_related("session__term", "lead_proposer", "organization", "special_committee").order_by(
            "session__year", "sequence", "id")
    elif kind == "reply":
        records = records.select_related("proposal__session__term", "proposal__lead_proposer", "proposal__organization",
                                         "proposal__special_committee", "assignment__unit", "evaluation").order_by(
            "proposal__session__year", "proposal__sequence", "id")
    else:
        records = records.select_related("proposal__session__term", "proposal__lead_proposer", "proposal__organization",
                                         "proposal__special_committee", "unit").order_by(
            "proposal__session__year", "proposal__sequence", "id")
    page = Paginator(records, RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        proposal = row if kind == "proposal" else row.proposal
        row.detail_url = proposal_selectors.proposal_url(proposal)
    narrowing = []
    if unit is not None:
        from xieshang.core.models import HandlingUnit

        found = HandlingUnit.objects.filter(committee=committee, pk=int(unit)).first()
        if found is None:
            raise Http404
        narrowing.append(found.name)
    if category:
        narrowing.append(categories.label(committee, category))
    if sector is not None:
        narrowing.append(sector or _("(none)"))
    list_params = figure_list_params(figure, year=filters["year"], session=filters["session"], category=category,
                                     sector=sector, unit=unit)
    page_query = _query(filters, figure=figure, unit=unit, category=category, sector=sector)
    return render(request, "reports/records.html", {
        "figure": FIGURES[figure], "kind": kind, "page": page, "rows": rows, "count": page.paginator.count,
        "scope_label": _scope_label(filters), "narrowing": narrowing, "page_query": page_query,
        "list_url": _list_url(list_params) if list_params else "",
        "back_url": reverse("reports:proposals") + "?" + _query(filters),
    })


# --- Import of past proposals ----------------------------------------------------------------


@login_required
def import_proposals(request):
    try:
        committee = import_committee(request.user, committee_of_request(request))
    except NotFound as exc:
        raise page_error(exc) from None
    result = None
    if request.method == "POST":
        form = ProposalImportForm(request.POST, request.FILES, committee=committee)
        if form.is_valid():
            try:
                result = proposals_import(actor=request.user, committee=committee, file=form.cleaned_data["file"],
                                          session=form.cleaned_data["session"])
            except Invalid as exc:
                if not exc.field_errors:
                    form.add_error(None, str(exc.message))
                for name, errors in exc.field_errors.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            except ServiceError as exc:
                form.add_error(None, str(exc.message))
            else:
                if result.ok:
                    messages.success(request, _("Import finished: %(created)d proposals imported.") % {"created": result.created})
                    for note in result.notes:  # the categories the import added
                        messages.info(request, note)
                    return redirect("reports:import_proposals")
    else:
        form = ProposalImportForm(committee=committee)
    bad = bool(form.errors) or bool(result and result.errors)
    return render(request, "reports/import_proposals.html", {
        "form": form, "result": result, "columns": imports.COLUMNS,
        "template_url": reverse("reports:import_proposals_template"),
    }, status=422 if bad else 200)


@login_required
def import_proposals_template(request):
    try:
        committee = import_committee(request.user, committee_of_request(request))
    except NotFound as exc:
        raise page_error(exc) from None
    response = HttpResponse(imports.template(committee), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, "历史提案导入模板.xlsx")
    return response


# --- Word documents ------------------------------------------------------------------------------


def _docx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
def proposal_docx(request, pk: int):
    """The proposal form of a proposal the user may see (404 otherwise)."""
    try:
        proposal = proposal_selectors.proposal_get(request.user, pk)
    except NotFound as exc:
        raise page_error(exc) from None
    # The form carries the proposer's phone and address: not for members who only see a public proposal.
    if not proposal_selectors.may_download_documents(request.user, proposal):
        raise Http404
    return _docx(documents.proposal_docx(proposal), documents.proposal_docx_filename(proposal))


@login_required
def reply_letter_docx(request, pk: int):
    """The reply letter of a reply whose proposal the user may see (404 otherwise)."""
    reply = Reply.objects.select_related("assignment__unit").filter(pk=pk).first()
    if reply is None:
        raise Http404
    try:
        reply.proposal = proposal_selectors.proposal_get(request.user, reply.proposal_id)
    except NotFound as exc:
        raise page_error(exc) from None
    if not proposal_selectors.may_download_reply_letter(request.user, reply):
        raise Http404
    return _docx(documents.reply_letter_docx(reply), documents.reply_letter_filename(reply))
