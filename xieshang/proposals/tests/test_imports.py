"""Import of past proposals (services.proposals_import): the happy path, every kind of bad row (then
nothing is imported), bad files, permissions and the template."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext

from xieshang.core.errors import Forbidden, Invalid
from xieshang.core.models import Event, Session
from xieshang.core.tests.factories import HandlingUnitFactory, OrganizationFactory, SectorFactory
from xieshang.proposals import imports
from xieshang.proposals.models import Assignment, Evaluation, Proposal, Reply
from xieshang.proposals.services import proposals_import
from xieshang.reports.proposal_stats import proposal_statistics
from xieshang.reports.tests import builders as b

pytestmark = pytest.mark.django_db

HEADERS = ["标题", "正文", "提案人", "类别", "届次/年份", "承办单位", "答复类别", "评价", "提案号"]


def xlsx(rows, headers=HEADERS, name="历史提案.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def csv_file(rows, encoding, headers=HEADERS, name="历史提案.csv"):
    lines = [",".join(headers)] + [",".join(row) for row in rows]
    return SimpleUploadedFile(name, ("\r\n".join(lines) + "\r\n").encode(encoding))


@pytest.fixture
def world(committee, make_user):
    staff = make_user(committee, "staff")
    sector = SectorFactory(committee=committee, name="教育界")
    zhang = b.member(committee, "张三", sector=sector)
    li = b.member(committee, "李四")
    OrganizationFactory(committee=committee, name="民革昌吉州委员会")
    HandlingUnitFactory(committee=committee, name="州教育局", short_name="教育局")
    HandlingUnitFactory(committee=committee, name="州财政局")
    HandlingUnitFactory(committee=committee, name="州人力资源和社会保障局")
    return {"staff": staff, "zhang": zhang, "li": li, "committee": committee,
            "s2024": Session.objects.get(term__committee=committee, year=2024)}


GOOD_ROWS = [
    # registered only (no unit)
    ["关于加强职业教育的建议", "一、现状\n二、建议", "张三", "文化建设", "2024", "", "", "", ""],
    # handling (units, no outcome)
    ["关于优化营商环境的建议", "正文", "李四", "经济", "2024", "州财政局", "", "", ""],
    # closed: lead + co, A, satisfied, own number
    ["关于改善农村学校办学条件的建议", "正文", "张三", "社会建设", "十三届二次会议", "教育局、州财政局；州人力资源和社会保障局",
     "A", "满意", "13-2-0100"],
    # replied: dissatisfied stays replied; a party as proposer
    ["关于发展普惠托育服务的建议", "正文", "民革昌吉州委员会", "", "2024年", "州人力资源和社会保障局", "C类", "不满意", ""],
    # closed in another year, basically satisfied
    ["关于加快数字农业发展的建议", "正文", "李四", "农业农村", "2025", "州财政局", "B", "基本满意", ""],
]


def test_happy_path_creates_proposals_in_their_final_states(world):
    result = proposals_import(actor=world["staff"], committee=world["committee"], file=xlsx(GOOD_ROWS))
    assert result.ok and result.created == 5, result.errors
    by_title = {p.title: p for p in Proposal.objects.filter(committee=world["committee"])}
    assert len(by_title) == 5 and all(p.imported for p in by_title.values())

    registered = by_title["关于加强职业教育的建议"]
    assert registered.state == "registered" and registered.category == "culture"
    assert registered.lead_proposer == world["zhang"] and registered.sector_name == "教育界"
    assert registered.session == world["s2024"] and registered.number == "13-2-0001"

    handling = by_title["关于优化营商环境的建议"]
    assert handling.state == "handling" and handling.number == "13-2-0002"
    assert list(handling.assignments.values_list("unit__name", "role", "state")) == [("州财政局", "sole", "handling")]
    assert not handling.replies.exists()

    closed = by_title["关于改善农村学校办学条件的建议"]
    assert closed.state == "closed" and closed.number == "13-2-0100" and closed.sequence == 100
    roles = sorted(closed.assignments.values_list("unit__name", "role"))
    assert roles == [("州人力资源和社会保障局", "co"), ("州教育局", "lead"), ("州财政局", "co")]
    reply = closed.replies.get()  # only the lead unit answers the proposer
    assert reply.assignment.unit.name == "州教育局" and reply.outcome == "adopted" and reply.is_on_time
    assert reply.evaluation.verdict == "satisfied"

    party = by_title["关于发展普惠托育服务的建议"]
    assert party.state == "replied" and party.proposer_kind == "organization" and party.lead_proposer is None
    assert party.organization.name == "民革昌吉州委员会" and party.category == "other"
    assert party.replies.get().evaluation.verdict == "dissatisfied"

    other_year = by_title["关于加快数字农业发展的建议"]
    assert other_year.state == "closed" and other_year.number == "13-3-0001"
    assert other_year.replies.get().evaluation.verdict == "basically_satisfied"

    events = Event.objects.filter(action="proposal.imported")
    assert events.count() == 5
    assert {e.object_id for e in events} == {str(p.pk) for p in by_title.values()}
    assert all(e.actor == world["staff"] for e in events)


def test_imported_proposals_count_in_the_statistics(world):
    proposals_import(actor=world["staff"], committee=world["committee"], file=xlsx(GOOD_ROWS))
    stats = proposal_statistics(world["committee"], year=2024)
    assert (stats["received"], stats["registered"], stats["replied"]) == (4, 4, 2)
    assert (stats["satisfied"], stats["dissatisfied"], stats["outcome_a"], stats["outcome_c"]) == (1, 1, 1, 1)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_utf8_or_gbk(world, encoding):
    rows = [["关于加强职业教育的建议", "正文", "张三", "文化建设", "2024", "州教育局", "A", "满意", ""]]
    result = proposals_import(actor=world["staff"], committee=world["committee"], file=csv_file(rows, encoding))
    assert result.ok, result.errors
    p = Proposal.objects.get()
    assert p.title == "关于加强职业教育的建议" and p.state == "closed"


def test_tab_separated_utf16_text_as_excel_saves_it(world):
    rows = [["关于加强职业教育的建议", "正文", "张三", "文化建设", "2024", "州教育局", "B", "", ""]]
    text = "\r\n".join("\t".join(r) for r in [HEADERS, *rows])
    result = proposals_import(actor=world["staff"], committee=world["committee"],
                              file=SimpleUploadedFile("历史提案.csv", text.encode("utf-16")))
    assert result.ok, result.errors
    assert Proposal.objects.get().state == "replied"


def test_undecodable_csv_is_refused(world):
    with pytest.raises(Invalid) as info:
        proposals_import(actor=world["staff"], committee=world["committee"],
                         file=SimpleUploadedFile("a.csv", b"\x81\x30\xff\xfe\x00" * 3 + b"\xff"))
    assert info.value.field_errors["file"] == [gettext("The CSV file is neither UTF-8 nor GBK text.")]


def test_the_session_chosen_on_the_page_fills_empty_cells(world):
    rows = [["关于加强职业教育的建议", "正文", "张三", "", "", "", "", "", ""]]
    result = proposals_import(actor=world["staff"], committee=world["committee"], file=xlsx(rows), session=world["s2024"])
    assert result.ok
    assert Proposal.objects.get().session == world["s2024"]


def test_optional_reply_date_and_text(world):
    headers = HEADERS + ["答复日期", "答复内容"]
    rows = [
        ["准时", "正文", "张三", "", "2024", "州教育局", "A", "", "", "2024-03-01", "已办理。"],
        ["逾期", "正文", "张三", "", "2024", "州教育局", "B", "", "", "2024年12月31日", ""],
    ]
    result = proposals_import(actor=world["staff"], committee=world["committee"], file=xlsx(rows, headers))
    assert result.ok, result.errors
    on_time = Reply.objects.get(proposal__title="准时")
    late = Reply.objects.get(proposal__title="逾期")
    assert on_time.is_on_time and on_time.text == "已办理。" and on_time.replied_at.date().isoformat() == "2024-03-01"
    assert not late.is_on_time
    assert late.text == gettext("(Imported from past records; the text of the reply was not entered.)")


BAD_ROWS = [
    ["好的一行", "正文", "张三", "", "2024", "州教育局", "A", "满意", "13-2-0007"],          # row 2: fine
    ["提案人不存在", "正文", "王五", "", "2024", "", "", "", ""],                           # row 3
    ["单位不存在", "正文", "张三", "", "2024", "州不存在局", "", "", ""],                     # row 4
    ["类别过长", "正文", "张三", "天文" * 21, "2024", "", "", "", ""],                       # row 5: 42 characters
    ["答复类别错误", "正文", "张三", "", "2024", "州教育局", "D", "", ""],                    # row 6
    ["评价错误", "正文", "张三", "", "2024", "州教育局", "A", "很好", ""],                    # row 7
    ["提案号重复", "正文", "张三", "", "2024", "", "", "", "13-2-0007"],                     # row 8
    ["届次不存在", "正文", "张三", "", "2019", "", "", "", ""],                               # row 9
    ["", "正文", "张三", "", "2024", "", "", "", ""],                                          # row 10
    ["只有评价", "正文", "张三", "", "2024", "州教育局", "", "满意", ""],                     # row 11
    ["与已有提案号重复", "正文", "张三", "", "2024", "", "", "", "13-2-0001"],              # row 12
]


def test_every_bad_row_is_reported_and_nothing_is_imported(world):
    existing = b.proposal(world["committee"], world["s2024"], "registered", lead=world["li"])  # takes 13-2-0001
    assert existing.number == "13-2-0001"
    result = proposals_import(actor=world["staff"], committee=world["committee"], file=xlsx(BAD_ROWS))
    assert not result.ok and result.created == 0
    rows = {}
    for row, message in result.errors:
        rows.setdefault(row, []).append(message)
    assert sorted(rows) == [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    assert "王五" in rows[3][0]
    assert "州不存在局" in rows[4][0]
    assert "类别" in rows[5][0] and "40" in rows[5][0]  # a new category name, but too long for the list
    assert "D" in rows[6][0]
    assert "很好" in rows[7][0]
    assert "13-2-0007" in rows[8][0] and "2" in rows[8][0]  # names the row it repeats
    assert "2019" in rows[9][0]
    assert "标题" in rows[10][0]
    assert "评价" in rows[11][0]
    assert "13-2-0001" in rows[12][0]
    assert Proposal.objects.count() == 1  # only the one made before
    assert not Assignment.objects.exists() and not Reply.objects.exists() and not Evaluation.objects.exists()
    assert not Event.objects.filter(action="proposal.imported").exists()


def test_ambiguous_member_names_are_refused(world):
    b.member(world["committee"], "张三")
    rows = [["标题", "正文", "张三", "", "2024", "", "", "", ""]]
    result = proposals_import(actor=world["staff"], committee=world["committee"], file=xlsx(rows))
    assert [row for row, _msg in result.errors] == [2]
    assert not Proposal.objects.exists()


def test_a_member_of_another_committee_is_unknown(world):
    from xieshang.core.tests.factories import CommitteeFactory, TermFactory

    other = CommitteeFactory(code="hami")
    TermFactory(committee=other)
    b.member(other, "赵六")
    rows = [["标题", "正文", "赵六", "", "2024", "", "", "", ""]]
    result = proposals_import(actor=world["staff"], committee=world["committee"], file=xlsx(rows))
    assert len(result.errors) == 1 and "赵六" in result.errors[0][1]


def test_session_number_from_another_session_is_refused(world):
    rows = [["标题", "正文", "张三", "", "2024", "", "", "", "13-3-0001"]]
    result = proposals_import(actor=world["staff"], committee=world["committee"], file=xlsx(rows))
    assert len(result.errors) == 1 and not Proposal.objects.exists()


@pytest.mark.parametrize("upload, expected", [
    (SimpleUploadedFile("a.txt", b"hello"), "Excel"),
    (SimpleUploadedFile("a.xlsx", b"not a zip"), "Excel"),
    (None, ""),
])
def test_bad_files_raise_invalid_on_the_file_field(world, upload, expected):
    with pytest.raises(Invalid) as info:
        proposals_import(actor=world["staff"], committee=world["committee"], file=upload)
    assert "file" in info.value.field_errors


def test_missing_required_column(world):
    upload = xlsx([["张三"]], headers=["提案人"])
    with pytest.raises(Invalid) as info:
        proposals_import(actor=world["staff"], committee=world["committee"], file=upload)
    assert "标题" in info.value.field_errors["file"][0]


def test_empty_sheet(world):
    with pytest.raises(Invalid):
        proposals_import(actor=world["staff"], committee=world["committee"], file=xlsx([]))


@pytest.mark.parametrize("role", ["member", "leader", "unit", None])
def test_only_staff_and_admins_may_import(world, make_user, role):
    unit = HandlingUnitFactory(committee=world["committee"])
    user = make_user(world["committee"], *([role] if role else []), unit=unit)
    with pytest.raises(Forbidden):
        proposals_import(actor=user, committee=world["committee"], file=xlsx(GOOD_ROWS))
    assert not Proposal.objects.exists()


def test_admin_may_import(world, make_user):
    admin = make_user(world["committee"], "admin")
    assert proposals_import(actor=admin, committee=world["committee"], file=xlsx(GOOD_ROWS[:1])).ok


def test_the_template_can_be_filled_in_and_imported(world):
    workbook = openpyxl.load_workbook(io.BytesIO(imports.template(world["committee"])))
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:9] == HEADERS
    assert "州教育局" in "\n".join(str(c.value) for row in workbook.worksheets[1].iter_rows() for c in row)
    sheet.append(["关于加强职业教育的建议", "正文", "张三", "文化建设", "2024", "州教育局", "A", "满意", "", "", ""])
    out = io.BytesIO()
    workbook.save(out)
    result = proposals_import(actor=world["staff"], committee=world["committee"],
                              file=SimpleUploadedFile("填好的模板.xlsx", out.getvalue()))
    assert result.ok and result.created == 1
