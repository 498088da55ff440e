"""A committee with its own category list (core.categories, issue #16), end to end: 14 categories of its own
(a province's list) offered by the drafting form (a searchable picker: the list is long), a proposal filed
under one of them, the staff list, the Excel export, the Word document, the statistics; and the past-proposal
import, which takes the committee's own names and adds those it does not hold yet."""

import io

import openpyxl
import pytest
from django.urls import reverse

from xieshang.core import categories
from xieshang.core.models import Category, Event
from xieshang.proposals.exports import write_proposal_list
from xieshang.proposals.models import Proposal
from xieshang.proposals.services import proposals_import
from xieshang.proposals.tests.test_imports import xlsx
from xieshang.reports.proposal_stats import proposal_statistics
from xieshang.reports.tests import builders as b

pytestmark = pytest.mark.django_db

# A province's own list (the names as such a committee writes them).
PROVINCE = ["经济发展", "财政金融", "工业交通", "城乡建设", "农业农村", "资源环境", "教育", "科技", "文化旅游",
            "医疗卫生", "社会保障", "政法", "民族宗教", "综合"]


@pytest.fixture
def province(committee, make_user):
    staff = make_user(committee, "staff", "member", username="cat.staff")
    codes = categories.categories_named(actor=staff, committee=committee, names=PROVINCE, source="list")
    for row in Category.objects.filter(committee=committee).exclude(code__in=codes.values()):
        categories.category_set_active(actor=staff, committee=committee, category=row, active=False)
    return committee, staff, codes


def _signed_in(client, user, committee):
    client.force_login(user)
    session = client.session
    session["xieshang_committee_id"] = committee.pk
    session.save()
    return client


def test_fourteen_own_categories_from_the_form_to_the_list_the_excel_file_and_the_statistics(client, province):
    committee, staff, codes = province
    c = _signed_in(client, staff, committee)
    page = c.get(reverse("proposals:create")).content.decode()
    assert "data-picker" in page and "民族宗教" in page and "生态文明建设" not in page  # only its own, searchable
    code = codes["民族宗教"]
    r = c.post(reverse("proposals:create"), {"title": "关于促进民族团结进步的提案", "kind": "session", "category": code,
                                             "body": "建议如下。"})
    assert r.status_code == 302, r.content.decode()[:2000]
    proposal = Proposal.objects.get(title="关于促进民族团结进步的提案")
    assert proposal.category == code and proposal.category_label == "民族宗教"
    refused = c.post(reverse("proposals:create"), {"title": "关于生态的提案", "kind": "session", "category": "ecology"})
    assert refused.status_code in (200, 422) and not Proposal.objects.filter(title="关于生态的提案").exists()

    Proposal.objects.filter(pk=proposal.pk).update(state="submitted")
    listed = c.get(reverse("proposals:list")).content.decode()
    assert "关于促进民族团结进步的提案" in listed and "民族宗教" in listed
    assert c.get(reverse("proposals:list"), {"category": code}).status_code == 200

    handle = io.BytesIO()
    write_proposal_list(handle, user=staff, committee=committee, params={})
    sheet = openpyxl.load_workbook(io.BytesIO(handle.getvalue())).worksheets[0]
    values = {cell.value for row in sheet.iter_rows() for cell in row}
    assert "民族宗教" in values and code not in values

    by_category = {row["key"]: row["label"] for row in proposal_statistics(committee)["by_category"]}
    assert by_category == {code: "民族宗教"}

    from xieshang.proposals.documents import proposal_values

    assert proposal_values(proposal)["类别"] == "民族宗教"


def test_a_renamed_category_renames_every_label_and_keeps_its_records(client, province):
    committee, staff, codes = province
    code = codes["教育"]
    proposal = b.proposal(committee, committee_session(committee), "registered", category=code)
    row = Category.objects.get(committee=committee, code=code)
    categories.category_update(actor=staff, committee=committee, category=row, name="教育科技")
    proposal.refresh_from_db()
    assert proposal.category == code and proposal.category_label == "教育科技"
    listed = _signed_in(client, staff, committee).get(reverse("proposals:list")).content.decode()
    assert "教育科技" in listed


def committee_session(committee):
    from xieshang.core.models import Session

    return Session.objects.get(term__committee=committee, is_current=True)


def test_the_import_takes_the_committee_s_names_and_adds_the_new_ones(committee, make_user):
    staff = make_user(committee, "staff")
    b.member(committee, "张三")
    rows = [
        ["关于发展特色旅游的建议", "正文", "张三", "文化旅游", "2024", "", "", "", ""],
        ["关于扶持小微企业的建议", "正文", "张三", "经济", "2024", "", "", "", ""],        # the default list's short name
        ["关于整治河道的建议", "正文", "张三", "文化旅游", "2024", "", "", "", ""],       # the same new name again
        ["关于加强社区治理的建议", "正文", "张三", "", "2024", "", "", "", ""],            # none: the default
    ]
    result = proposals_import(actor=staff, committee=committee, file=xlsx(rows))
    assert result.ok and result.created == 4, result.errors
    added = Category.objects.get(committee=committee, name="文化旅游")
    by_title = {p.title: p.category for p in Proposal.objects.filter(committee=committee)}
    assert by_title == {"关于发展特色旅游的建议": added.code, "关于扶持小微企业的建议": "economy",
                        "关于整治河道的建议": added.code, "关于加强社区治理的建议": "other"}
    assert len(result.notes) == 1 and "文化旅游" in result.notes[0]
    event = Event.objects.get(action="category.created")
    assert event.actor == staff and event.payload["source"] == "import"
    assert categories.label(committee, added.code) == "文化旅游"
    template = openpyxl.load_workbook(io.BytesIO(__import__("xieshang.proposals.imports", fromlist=["x"]).template(
        committee)))
    assert any("文化旅游" in str(cell.value) for ws in template.worksheets for row in ws.iter_rows() for cell in row)


def test_an_import_refused_for_another_row_adds_no_category(committee, make_user):
    staff = make_user(committee, "staff")
    b.member(committee, "张三")
    rows = [["关于发展特色旅游的建议", "正文", "张三", "文化旅游", "2024", "", "", "", ""],
            ["没有提案人", "正文", "王五", "", "2024", "", "", "", ""]]
    result = proposals_import(actor=staff, committee=committee, file=xlsx(rows))
    assert not result.ok and not Category.objects.filter(committee=committee, name="文化旅游").exists()
