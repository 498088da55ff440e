"""The official papers: the bulletin issue as Word (《社情民意》第 N 期) and the year's adopted reports as
Excel — their text exact (hostile text too), the 期号, the 报送 list, and who may download them (page
and API; hidden → 404)."""

import datetime
import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import clock
from xieshang.opinions import documents
from xieshang.opinions.tests._screens import act, client_for, people, user, walk

pytestmark = pytest.mark.django_db

HOSTILE_TITLE = '关于<script>alert("标题")</script>的建议 \'单\' "双" {{ title }}'
HOSTILE_SITUATION = '情况<b>粗体</b> {% if x %}模板{% endif %} & "引号"'
HOSTILE_SUGGESTION = "建议{{ request.user }}'s </p><img src=x onerror=alert(1)>"


@pytest.fixture
def p(committee):
    clock.set_to(datetime.date(2026, 3, 2))
    yield people(committee)
    clock.reset()


def _paragraphs(content: bytes) -> list[str]:
    return [para.text for para in Document(io.BytesIO(content)).paragraphs]


def _forwarded(p, **kwargs):
    report = walk(p, "forwarded", **kwargs)
    report.refresh_from_db()
    return report


def test_bulletin_docx_has_the_official_parts_and_the_text_exactly(p):
    report = _forwarded(p, title=HOSTILE_TITLE, situation=HOSTILE_SITUATION, suggestion=HOSTILE_SUGGESTION)
    bulletin = report.bulletin
    response = client_for(p.staff).get(reverse("opinions:bulletin_docx", args=[bulletin.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in response["Content-Disposition"]
    lines = _paragraphs(response.content)
    assert lines[0] == "社情民意"
    assert lines[1] == f"第{bulletin.number}期（专报）　签发人：马主席"
    assert lines[2] == f"编报单位：{documents.office_name(p.committee)}\t2026年3月2日"
    assert HOSTILE_TITLE in lines
    # the edited text (walk() edits the situation), each part under its heading
    assert lines.index("一、基本情况") < lines.index(HOSTILE_SITUATION + "（经编辑）") < lines.index("三、意见建议")
    assert HOSTILE_SUGGESTION in lines
    assert "（反映人：王委员）" in lines
    assert "报送：州委，州政府。" in lines  # walk() forwards to the first two recipients
    assert f"{documents.office_name(p.committee)}\t2026年3月2日印发" in lines
    body = response.content.decode("latin-1")
    assert "<script>" not in body  # escaped in the XML, never markup


def test_bulletin_with_two_reports_prints_both_and_the_recipients_of_the_issue(p):
    first = _forwarded(p, title="关于恢复农村客运班线的建议")
    second = walk(p, "approved", title="关于加强冬季供暖保障的建议")
    act(second, p.staff, "forward", recipients=[p.recipients[2].pk], bulletin=first.bulletin_id)
    lines = _paragraphs(documents.bulletin_docx(first.bulletin))
    assert lines.index("关于恢复农村客运班线的建议") < lines.index("关于加强冬季供暖保障的建议")
    assert "报送：州委，州政府，自治区政协。" in lines


def test_combined_issue_is_marked_and_lists_every_author(p, committee):
    second_member = p.other_member
    a = walk(p, "submitted", title="甲")
    b = walk(p, "submitted", title="乙", author=second_member)
    from xieshang.opinions import services

    combined = services.opinion_combine(actor=p.staff, reports=[a, b], title="关于农村客运的综合建议",
                                        body="综合正文第一段。\n综合正文第二段。")
    combined = act(combined, p.staff, "send_for_approval")
    combined = act(combined, p.leader, "approve")
    combined = act(combined, p.staff, "forward", recipients=[p.recipients[0].pk])
    combined.refresh_from_db()
    lines = _paragraphs(documents.bulletin_docx(combined.bulletin))
    assert lines[1].startswith(f"第{combined.bulletin.number}期（综合）")
    assert "综合正文第一段。" in lines and "综合正文第二段。" in lines
    assert "一、基本情况" not in lines  # one part only: no headings
    assert "（反映人：王委员、赵委员）" in lines


@pytest.mark.parametrize("who, status", [
    ("staff", 200), ("leader", 200), ("member", 404), ("other_member", 404), ("outsider", 404), ("unit", 404),
])
def test_who_may_download_the_bulletin_page_and_api(p, committee, who, status):
    report = _forwarded(p)
    if who == "outsider":
        person = user(committee, "member")  # a member of the same committee, not an author
    elif who == "unit":
        from xieshang.core.tests.factories import HandlingUnitFactory, UserFactory, grant

        person = UserFactory()
        grant(person, committee, "unit", unit=HandlingUnitFactory(committee=committee))
    else:
        person = getattr(p, who)
    url = reverse("opinions:bulletin_docx", args=[report.bulletin_id])
    assert client_for(person).get(url).status_code == status
    api = ApiClient(issue_token(person))
    assert api.get(f"opinions/bulletins/{report.bulletin_id}/document.docx").status_code == status
    # a bulletin that does not exist: the same 404
    assert client_for(person).get(reverse("opinions:bulletin_docx", args=[report.bulletin_id + 999])).status_code == 404


def test_anonymous_is_sent_to_sign_in(p):
    report = _forwarded(p)
    from django.test import Client

    response = Client().get(reverse("opinions:bulletin_docx", args=[report.bulletin_id]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_pages_link_the_document(p):
    report = _forwarded(p)
    url = reverse("opinions:bulletin_docx", args=[report.bulletin_id])
    assert url in client_for(p.staff).get(reverse("opinions:bulletin", args=[report.bulletin_id])).content.decode()
    assert url in client_for(p.leader).get(reverse("opinions:detail", args=[report.pk])).content.decode()
    assert url not in client_for(p.member).get(reverse("opinions:detail", args=[report.pk])).content.decode()
    bulletins = client_for(p.staff).get(reverse("opinions:bulletins")).content.decode()
    assert reverse("opinions:adopted_xlsx") in bulletins and url in bulletins


# --- The year's adopted reports ------------------------------------------------------------------------


def _rows(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    ws = wb.active
    return ws, [[c.value for c in row] for row in ws.iter_rows()]


def test_adopted_list_has_title_frozen_header_numbers_and_exact_text(p):
    adopted = walk(p, "adopted", title=HOSTILE_TITLE)  # adopted by 州委 (prefecture) + one instruction
    act(adopted, p.staff, "record_adoption", recipient=p.recipients[1].pk, level="prefecture", kind="single",
        manner="excerpted")
    _forwarded(p, title="只报送未采用的信息")  # forwarded, never adopted: not listed
    walk(p, "submitted", title="未报送的信息")
    response = client_for(p.staff).get(reverse("opinions:adopted_xlsx") + "?year=2026")
    assert response.status_code == 200
    ws, rows = _rows(response.content)
    assert rows[0][0] == "昌吉州政协2026年社情民意信息采用情况表".replace("昌吉州政协", p.committee.short_name or p.committee.name)
    assert rows[1] == list(documents.ADOPTED_COLUMNS)
    assert rows[1][:10] == ["序号", "标题", "作者", "界别/单位", "报送期号", "采用单位", "采用层级", "采用方式",
                            "采用次数", "批示领导"]
    assert ws.freeze_panes == "A3"
    assert len(rows) == 3  # title, header, one adopted report
    adopted.refresh_from_db()
    row = dict(zip(rows[1], rows[2], strict=True))
    assert row["序号"] == 1
    assert row["标题"] == HOSTILE_TITLE
    assert row["作者"] == "王委员"
    assert row["报送期号"] == adopted.bulletin.number and isinstance(row["报送期号"], int)
    assert row["采用单位"] == "州委、州政府"
    assert row["采用层级"] == "州级"
    assert row["采用方式"] == "单篇采用、单篇摘报"
    assert row["采用次数"] == 2
    assert row["批示领导"] == "张书记"
    assert row["批示日期"] == "2026年3月2日"
    assert row["批示数"] == 1


def test_adopted_list_of_another_year_is_empty_and_a_formula_stays_text(p):
    walk(p, "adopted", title="=HYPERLINK(\"http://x\")")
    content, count = documents.adopted_xlsx(p.committee, 2025)
    assert count == 0 and len(_rows(content)[1]) == 2
    content, count = documents.adopted_xlsx(p.committee, 2026)
    ws, rows = _rows(content)
    assert count == 1 and rows[2][1] == "=HYPERLINK(\"http://x\")" and ws.cell(row=3, column=2).data_type == "s"
    assert ws.cell(row=3, column=2).quotePrefix  # kept as text even when the cell is edited


@pytest.mark.parametrize("who, status", [("staff", 200), ("leader", 200), ("member", 404)])
def test_who_may_download_the_adopted_list(p, who, status):
    walk(p, "adopted")
    person = getattr(p, who)
    assert client_for(person).get(reverse("opinions:adopted_xlsx") + "?year=2026").status_code == status
    response = ApiClient(issue_token(person)).get("opinions/adopted.xlsx?year=2026")
    assert response.status_code == status
    if status == 200:
        assert _rows(response.content)[1][2][1] == "关于恢复农村客运班线的建议"


def test_odd_year_falls_back_to_this_year(p):
    walk(p, "adopted")
    response = client_for(p.staff).get(reverse("opinions:adopted_xlsx") + "?year=abc")
    assert response.status_code == 200 and len(_rows(response.content)[1]) == 3


def test_documents_make_a_fixed_number_of_queries(p):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = walk(p, "adopted", title="一")
    first.refresh_from_db()

    def counted(fn):
        with CaptureQueriesContext(connection) as queries:
            fn()
        return len(queries)

    def docx():
        from xieshang.opinions.models import Bulletin

        documents.bulletin_docx(Bulletin.objects.select_related("committee", "signed_by").get(pk=first.bulletin_id))

    small = (counted(lambda: documents.adopted_xlsx(p.committee, 2026)), counted(docx))
    for title in ("二", "三"):
        more = walk(p, "approved", title=title, author=p.other_member)
        act(more, p.staff, "forward", recipients=[p.recipients[0].pk], bulletin=first.bulletin_id)
        act(more, p.staff, "record_adoption", recipient=p.recipients[0].pk, level="prefecture", kind="single")
        act(more, p.staff, "record_instruction", level="prefecture", leader="张书记", date="2026-03-02", text="阅")
    large = (counted(lambda: documents.adopted_xlsx(p.committee, 2026)), counted(docx))
    assert documents.adopted_xlsx(p.committee, 2026)[1] == 3
    assert small == large
