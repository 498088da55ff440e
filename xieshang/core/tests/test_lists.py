"""One list definition (xieshang.core.lists.ListDef) feeds the page, the API list and the Excel export."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xieshang.core.lists import Column, Filter, Layout, ListDef, Sort
from xieshang.proposals.lists import PROPOSALS


class Row:
    def __init__(self, **kw):
        self.__dict__.update(kw)


def _def(**kw) -> ListDef:
    return ListDef(
        name="things",
        columns=(
            Column("name", "Name", sort="name"),
            Column("count", "Count", sort="count", numeric=True),
            Column("day", "Day"),
        ),
        sorts=(Sort("-id", "Newest", ("-id",)), Sort("name", "Name", ("name", "id")),
               Sort("-name", "Name, descending", ("-name", "-id")), Sort("count", "Count", ("count",))),
        default_sort="-id",
        filters=(Filter("q", "Search"), Filter("unit", "Unit", "int"), Filter("key", "Key", "flag")),
        layouts={"page": Layout(("name", "count")), "export": Layout(("name", "count", "day"), title="Things: [all]")},
        **kw,
    )


def test_the_header_asks_for_each_sortable_columns_sort_and_toggles_where_a_descending_one_exists():
    things = _def()
    assert things.header("page") == [{"key": "name", "label": "Name", "sort": "name"},
                                     {"key": "count", "label": "Count", "sort": "count"}]
    assert things.header("page", "name")[0]["sort"] == "-name"
    assert things.header("page", "-name")[0]["sort"] == "name"
    assert things.header("page", "count")[1]["sort"] == "count"  # no "-count": no toggle


def test_unknown_sorts_and_page_sizes_fall_back_to_the_defaults():
    things = _def()
    assert things.sort("nonsense").key == "-id" and things.sort(None).key == "-id" and things.sort("name").key == "name"
    assert things.sort_keys == ("-id", "name", "-name", "count")
    assert [things.page_size(v) for v in ("20", 100, "7", "x", None, "1e9")] == [20, 100, 50, 50, 50, 50]


def test_params_are_the_selectors_text_values():
    things = _def()
    values = {"q": "  ", "unit": 3, "key": True, "sort": "name", "other": "x"}
    assert things.params(values) == {"q": "  ", "unit": "3", "key": "1", "sort": "name"}
    assert things.params({"q": "", "key": False, "unit": None}) == {}
    assert things.params(values, skip={"unit"}) == {"q": "  ", "key": "1", "sort": "name"}


def test_a_definition_that_names_what_it_lacks_is_refused():
    with pytest.raises(ValueError):
        ListDef(name="x", columns=(Column("a", "A", sort="zzz"),), sorts=(Sort("a", "A", ("a",)),), default_sort="a")
    with pytest.raises(ValueError):
        ListDef(name="x", columns=(Column("a", "A"),), sorts=(Sort("a", "A", ("a",)),), default_sort="b")
    with pytest.raises(KeyError):
        ListDef(name="x", columns=(Column("a", "A"),), sorts=(Sort("a", "A", ("a",)),), default_sort="a",
                layouts={"page": Layout(("a", "b"))})
    with pytest.raises(ValueError):
        Filter("a", "A", "date")


def test_the_workbook_has_the_header_frozen_text_as_text_and_numbers_as_numbers():
    things = _def()
    rows = [
        Row(name='=HYPERLINK("http://evil","x")\x07', count="12", day=datetime.date(2024, 5, 6)),
        Row(name="<script>alert(1)</script> {{ 7*7 }}", count=3, day=None),
        Row(name="0012", count="=1+1", day=None),
    ]
    handle = io.BytesIO()
    assert things.write_xlsx(handle, iter(rows)) == 3
    ws = load_workbook(io.BytesIO(handle.getvalue())).worksheets[0]
    assert ws.title == "Things all"  # characters Excel refuses in a sheet title dropped
    assert ws.freeze_panes == "A3"  # the title row and the header stay in view
    values = list(ws.iter_rows(values_only=True))
    assert values[0][0] == "Things: [all]"  # the title row (the title as given)
    assert values[1] == ("Name", "Count", "Day")
    assert values[2][:2] == ('=HYPERLINK("http://evil","x")', 12)
    assert values[2][2] == datetime.datetime(2024, 5, 6)
    assert values[3][:2] == ("<script>alert(1)</script> {{ 7*7 }}", 3)
    assert values[4][:2] == ("0012", "=1+1")  # text stays text; a "number" that is a formula stays text
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    assert ws.cell(3, 2).data_type == "n" and ws.cell(5, 1).data_type == "s"
    assert ws.cell(3, 1).quotePrefix and ws.cell(5, 2).quotePrefix and not ws.cell(4, 1).quotePrefix
    assert ws.cell(3, 3).number_format == "yyyy-mm-dd"


# --- The proposal list: one definition read by the page, the API and the export ----------------------


def test_the_proposal_pages_form_the_api_and_the_selector_read_the_same_sorts():
    from xieshang.api import proposals as api
    from xieshang.proposals import forms

    assert api.SORTS == PROPOSALS.sort_keys
    assert [key for key, _label in forms.SORTS] == list(PROPOSALS.sort_keys)
    assert forms.PAGE_SIZES == PROPOSALS.page_sizes and forms.DEFAULT_PAGE_SIZE == PROPOSALS.default_page_size


def test_the_openapi_sort_parameter_lists_the_definitions_sorts(client):
    schema = client.get("/api/v1/openapi.json").json()
    params = schema["paths"]["/api/v1/proposals"]["get"]["parameters"]
    sort = next(p for p in params if p["name"] == "sort")
    text = str(sort["schema"])
    assert all(f"'{key}'" in text for key in PROPOSALS.sort_keys)


@pytest.mark.django_db
def test_the_staff_lists_head_is_the_page_layout_with_its_sort_links(committee):
    from django.test import Client

    from xieshang.proposals.tests.factories import make_role_user

    c = Client()
    c.force_login(make_role_user(committee, "staff"))
    html = c.get(reverse("proposals:list"), {"sort": "number"}).content.decode()
    head = html[html.index("<thead>"):html.index("</thead>")]
    assert head.count("<th>") == len(PROPOSALS.layout("page"))
    assert '<a href="?sort=-number">提案号</a>' in head  # toggles: the list is sorted by number
    assert '<a href="?sort=title">案由</a>' in head and '<a href="?sort=due_date">答复期限</a>' in head
    assert "<th>提案人</th>" in head  # not sortable: no link
