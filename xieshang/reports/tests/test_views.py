"""The statistics page, its export and records, the import page and the document downloads, over HTTP."""

import io
import re

import docx
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from xieshang.core.models import Event
from xieshang.core.tests.factories import HandlingUnitFactory
from xieshang.proposals.models import Proposal

from . import builders as b

pytestmark = pytest.mark.django_db

STATS = reverse("reports:proposals")


def _client(client, user):
    client.force_login(user)
    return client


def _no_inline_script_or_style(html: str) -> None:
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)


# --- Permissions ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["staff", "admin", "leader"])
def test_staff_admins_and_leaders_see_the_statistics(client, committee, make_user, year_2024, role):
    c = _client(client, make_user(committee, role))
    for url in (STATS, reverse("reports:proposals_export"), reverse("reports:proposals_records") + "?figure=received"):
        assert c.get(url).status_code == 200, url


@pytest.mark.parametrize("role", ["member", "unit", "station", None])
def test_others_get_404(client, committee, make_user, role):
    unit = HandlingUnitFactory(committee=committee)
    c = _client(client, make_user(committee, *([role] if role else []), unit=unit))
    for url in (STATS, reverse("reports:proposals_export"), reverse("reports:proposals_records") + "?figure=received",
                reverse("reports:import_proposals"), reverse("reports:import_proposals_template")):
        assert c.get(url).status_code == 404, url


def test_staff_of_another_committee_see_only_their_own(client, committee, make_user, year_2024):
    from xieshang.core.models import Committee

    other = Committee.objects.get(code="hami")  # made by year_2024, with one closed proposal of 2024
    c = _client(client, make_user(other, "staff"))
    response = c.get(STATS, {"year": 2024})
    assert response.context["committee"] == other
    assert (response.context["stats"]["registered"], response.context["stats"]["replied"]) == (1, 1)
    # changji's records are out of reach: the unit filter names a unit of changji → 404
    u1 = year_2024["units"][0]
    assert c.get(reverse("reports:proposals_records"), {"figure": "replies", "unit": u1.pk}).status_code == 404


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(STATS)
    assert response.status_code == 302 and reverse("core:login") in response["Location"]


def test_leaders_may_not_import(client, committee, make_user):
    c = _client(client, make_user(committee, "leader"))
    assert c.get(reverse("reports:import_proposals")).status_code == 404


# --- The statistics page ------------------------------------------------------------------------------------


def test_page_shows_the_figures_with_links_to_their_records(client, committee, make_user, year_2024):
    c = _client(client, make_user(committee, "staff"))
    response = c.get(STATS, {"year": 2024})
    html = response.content.decode()
    assert response.status_code == 200
    _no_inline_script_or_style(html)
    card = re.search(r'data-testid="figure-registered"[^>]*>\s*<span class="stat-value">(\d+)</span>', html)
    assert card and card.group(1) == "9"
    assert re.search(r'data-testid="rate-reply_rate".*?<div class="stat-value">55.6%</div>', html, re.S)
    assert "<svg" in html and "<rect" in html
    assert "州教育局" in html and "经济界" in html
    assert reverse("reports:proposals_records") + "?year=2024&amp;figure=registered" in html


def test_page_defaults_to_the_current_sessions_year(client, committee, make_user, year_2024):
    c = _client(client, make_user(committee, "staff"))
    response = c.get(STATS)
    assert response.context["stats"]["year"] == 2026  # the fixture's current session
    assert response.context["stats"]["received"] == 0
    assert c.get(STATS, {"year": ""}).context["stats"]["received"] == 16  # all years


def test_session_filter_and_bad_values(client, committee, make_user, year_2024):
    c = _client(client, make_user(committee, "staff"))
    response = c.get(STATS, {"session": year_2024["session"].pk, "year": ""})
    assert response.context["stats"]["registered"] == 9
    # a session of another committee or a nonsense year is refused on the field, never a 500
    response = c.get(STATS, {"session": "999999", "year": "abc"})
    assert response.status_code == 200 and response.context["form"].errors


def test_page_makes_a_fixed_number_of_queries(client, committee, make_user, year_2024, django_assert_max_num_queries):
    c = _client(client, make_user(committee, "staff"))
    c.get(STATS, {"year": 2024})  # warm the session and the role cache
    with django_assert_max_num_queries(20):
        c.get(STATS, {"year": 2024})


def test_export(client, committee, make_user, year_2024):
    c = _client(client, make_user(committee, "leader"))
    response = c.get(reverse("reports:proposals_export"), {"year": 2024})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "attachment" in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert len(workbook.worksheets) == 4
    sheet = workbook.worksheets[0]
    assert sheet.freeze_panes == "A3" and "昌吉" in sheet.cell(1, 1).value  # the title row, then the header
    overview = {row[0]: row[1] for row in sheet.iter_rows(min_row=3, values_only=True)}
    values = list(overview.values())
    assert 15 in values and 9 in values and 0.5556 in values and 0.8 in values  # rates are numbers …
    rate = next(c for c in sheet["B"] if c.value == 0.5556)
    assert rate.number_format == "0.0%" and rate.data_type == "n"  # … shown as percentages
    units = [row for row in workbook.worksheets[1].iter_rows(min_row=3, values_only=True)]
    assert units[0][0] == "州教育局" and units[0][1] == 7
    assert workbook.worksheets[1].cell(3, 14).number_format == "0.0%"  # 满意率


def test_records_page(client, committee, make_user, year_2024):
    c = _client(client, make_user(committee, "staff"))
    url = reverse("reports:proposals_records")
    response = c.get(url, {"year": 2024, "figure": "replied"})
    html = response.content.decode()
    assert response.status_code == 200 and response.context["count"] == 5
    assert html.count('data-testid="record"') == 5
    P = year_2024["proposals"]
    assert P[13].title in html and P[10].title not in html
    u2 = year_2024["units"][1]
    response = c.get(url, {"year": 2024, "figure": "outcome_c", "unit": u2.pk})
    assert response.context["count"] == 1 and "州住房和城乡建设局" in response.content.decode()
    response = c.get(url, {"year": 2024, "figure": "registered", "sector": "经济界"})
    assert response.context["count"] == 3
    response = c.get(url, {"year": 2024, "figure": "not_evaluated"})
    assert response.context["count"] == 1 and P[13].title in response.content.decode()
    response = c.get(url, {"year": 2024, "figure": "co"})
    assert response.context["count"] == 2
    response = c.get(url, {"year": 2024, "figure": "merged"})
    assert response.context["list_url"].endswith("state=merged&year=2024")


@pytest.mark.parametrize("params", [{"figure": "nonsense"}, {"figure": "replied", "unit": "x"},
                                    {"figure": "replied", "category": "nope"}, {"figure": "replied", "unit": "999999"}, {}])
def test_records_page_refuses_bad_parameters_with_404(client, committee, make_user, year_2024, params):
    c = _client(client, make_user(committee, "staff"))
    assert c.get(reverse("reports:proposals_records"), params).status_code == 404


# --- Import -----------------------------------------------------------------------------------------------


def _xlsx(rows):
    workbook = openpyxl.Workbook()
    workbook.active.append(["标题", "正文", "提案人", "类别", "届次/年份", "承办单位", "答复类别", "评价", "提案号"])
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("历史提案.xlsx", out.getvalue())


def test_import_page_happy_path(client, committee, make_user):
    b.member(committee, "张三")
    HandlingUnitFactory(committee=committee, name="州教育局")
    c = _client(client, make_user(committee, "staff"))
    url = reverse("reports:import_proposals")
    assert c.get(url).status_code == 200
    response = c.post(url, {"file": _xlsx([["关于加强职业教育的建议", "正文", "张三", "", "2024", "州教育局", "A", "满意", ""]])},
                      follow=True)
    assert response.status_code == 200
    assert Proposal.objects.get().state == "closed"
    assert Event.objects.filter(action="proposal.imported").count() == 1
    assert any("1" in str(m) for m in response.context["messages"])


def test_import_page_lists_every_bad_row(client, committee, make_user):
    b.member(committee, "张三")
    c = _client(client, make_user(committee, "admin"))
    response = c.post(reverse("reports:import_proposals"), {"file": _xlsx([
        ["好", "正文", "张三", "", "2024", "", "", "", ""],
        ["坏", "正文", "无名氏", "", "2024", "", "", "", ""],
        ["坏", "正文", "张三", "", "1999", "", "", "", ""],
    ])})
    assert response.status_code == 422
    html = response.content.decode()
    assert html.count('data-testid="import-error"') == 2 and "无名氏" in html and "1999" in html
    assert not Proposal.objects.exists()


def test_import_page_bad_file_message_next_to_the_field(client, committee, make_user):
    c = _client(client, make_user(committee, "staff"))
    response = c.post(reverse("reports:import_proposals"), {"file": SimpleUploadedFile("a.pdf", b"%PDF")})
    assert response.status_code == 422
    assert response.context["form"].errors["file"]


def test_import_template_download(client, committee, make_user):
    c = _client(client, make_user(committee, "staff"))
    response = c.get(reverse("reports:import_proposals_template"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]][:3] == ["标题", "正文", "提案人"]


# --- Documents --------------------------------------------------------------------------------------------


def test_document_downloads_follow_the_proposals_visibility(client, committee, make_user, year_2024):
    P = year_2024["proposals"]
    p = P[14]
    reply = p.replies.get()
    urls = (reverse("reports:proposal_docx", args=[p.pk]), reverse("reports:reply_letter_docx", args=[reply.pk]))
    staff = _client(client, make_user(committee, "staff"))
    for url in urls:
        response = staff.get(url)
        assert response.status_code == 200 and "wordprocessingml" in response["Content-Type"]
        docx.Document(io.BytesIO(response.content))
    client.logout()
    proposer = _client(client, p.lead_proposer.user)
    assert all(proposer.get(url).status_code == 200 for url in urls)
    client.logout()
    stranger = _client(client, make_user(committee, "member"))
    assert all(stranger.get(url).status_code == 404 for url in urls)
    # a member who sees a public proposal still gets no form with the proposer's phone
    Proposal.objects.filter(pk=p.pk).update(is_public=True)
    assert stranger.get(urls[0]).status_code == 404
    assert stranger.get(urls[1]).status_code == 404  # the reply itself is not public
    assert stranger.get(reverse("reports:reply_letter_docx", args=[999999])).status_code == 404
