"""The opinion report statistics page (社情民意信息统计) and its Excel export: office staff, administrators and
leaders of the committee (selectors.statistics_committee; 404 for anyone else). Thin: read the year,
compute with opinion_stats, render."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from xieshang.core import clock
from xieshang.core.errors import NotFound
from xieshang.core.imports import XLSX_CONTENT_TYPE
from xieshang.core.middleware import committee_of_request

from . import charts
from .opinion_stats import FIGURES, RATES, opinion_statistics, statistics_workbook, years_with_reports
from .selectors import statistics_committee

CARD_GROUPS = [
    (gettext_lazy("Receipt and editing"), ("received", "pending", "returned", "edited", "combined", "combined_reports",
                                           "declined")),
    (gettext_lazy("Forwarding"), ("forwarded", "forwardings", "bulletins")),
    (gettext_lazy("Adoption"), ("adopted", "adopted_prefecture", "adopted_province", "adopted_national", "adoptions")),
    (pgettext_lazy("opinion statistics", "Leaders' instructions"), ("instructions", "instructed", "instructions_prefecture",
                                             "instructions_province", "instructions_national")),
]


class OpinionStatisticsForm(forms.Form):
    """The year of the statistics ("" for all years). An unknown year is an error on the field, never a 500."""

    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", gettext_lazy("All years"))] + [(y, str(y)) for y in years]

    def chosen_year(self):
        return self.cleaned_data["year"] if self.is_valid() else None


def _scope(request):
    try:
        committee = statistics_committee(request.user, committee_of_request(request))
    except NotFound:
        raise Http404 from None
    with_reports = years_with_reports(committee)
    years = sorted(set(with_reports) | {clock.today().year}, reverse=True)
    data = request.GET.copy()
    if "year" not in data:  # the latest year with reports
        data["year"] = str(with_reports[0] if with_reports else clock.today().year)
    form = OpinionStatisticsForm(data, years=years)
    return committee, form, form.chosen_year()


@login_required
def opinions(request):
    committee, form, year = _scope(request)
    stats = opinion_statistics(committee, year=year)
    query = f"?year={year}" if year else "?year="
    groups = [{"title": title, "cards": [{"key": k, "label": FIGURES[k].label, "value": stats[k]} for k in keys]}
              for title, keys in CARD_GROUPS]
    rates = [{"key": key, "label": label, "display": stats[f"{key}_display"], "meter": charts.meter_class(stats[key])}
             for key, label in RATES.items()]
    flow_chart = charts.bar_chart([
        (FIGURES[k].label, stats[k], css, "") for k, css in (
            ("received", "bar-received"), ("forwarded", "bar-registered"), ("adopted", "bar-replied"))
    ])
    level_chart = charts.bar_chart([
        (row["label"], row["adopted"], css, "") for row, css in zip(
            stats["by_level"], ("bar-outcome_a", "bar-outcome_b", "bar-outcome_c"), strict=True)
    ], label_width=130)
    for key in ("by_sector", "by_organization", "by_category"):
        for row in stats[key]:
            row["meter"] = charts.meter_class(row["adoption_rate"])
    return render(request, "reports/opinions.html", {
        "committee": committee, "form": form, "stats": stats, "groups": groups, "rates": rates,
        "scope_label": str(year) if year else _("All years"), "flow_chart": flow_chart, "level_chart": level_chart,
        "export_url": reverse("reports:opinions_export") + query,
        "adopted_url": reverse("opinions:adopted_xlsx") + query if year else "",
    })


@login_required
def opinions_export(request):
    committee, _form, year = _scope(request)
    stats = opinion_statistics(committee, year=year)
    content = statistics_workbook(stats, str(year) if year else _("All years"), committee.name)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"社情民意统计_{committee.code}_{year or 'all'}.xlsx")
    return response
