"""The office's and the leader's screens: the inbox by state, the editing desk (versions side by side),
return and decline with a reason, combining from the list, approval, the bulletin composer (forwarding),
adoptions and instructions, calls for reports, and the Excel exports of every list."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from xieshang.core import clock
from xieshang.opinions import services
from xieshang.opinions.models import TEXT_LIMIT, Adoption, Bulletin, Commission, Instruction, OpinionState
from xieshang.opinions.tests._screens import ANALYSIS, SITUATION, SUGGESTION, act, client_for, people, walk

pytestmark = pytest.mark.django_db
S = OpinionState


@pytest.fixture
def p(committee):
    return people(committee)


def _text(**overrides):
    data = {"title": "关于恢复农村客运班线的建议", "category": "society",
            "situation": SITUATION, "analysis": ANALYSIS, "suggestion": SUGGESTION}
    data.update(overrides)
    return data


def _xlsx_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet.freeze_panes == "A3"  # the title row and the header stay in view
    return [[c.value for c in row] for row in sheet.iter_rows()][1:]  # under the title row


def test_inbox_tabs_by_state(p):
    new = walk(p, "submitted", title="新收到的信息")
    editing = walk(p, "editing", title="编辑中的信息")
    c = client_for(p.staff)
    html = c.get(reverse("opinions:list")).content.decode()
    assert new.title in html and editing.title not in html
    html = c.get(reverse("opinions:list"), {"tab": "editing"}).content.decode()
    assert editing.title in html and new.title not in html
    html = c.get(reverse("opinions:list"), {"tab": "all", "state": "editing"}).content.decode()
    assert editing.title in html and new.title not in html
    # a bad filter value is dropped, not a 500
    assert c.get(reverse("opinions:list"), {"tab": "nope", "year": "x", "sort": "zzz", "page": "-1"}).status_code == 200


def test_inbox_never_lists_drafts(p):
    walk(p, "draft", title="还没提交的草稿")
    html = client_for(p.staff).get(reverse("opinions:list"), {"tab": "all"}).content.decode()
    assert "还没提交的草稿" not in html


def test_inbox_sorts_and_searches(p):
    walk(p, "submitted", title="甲关于道路的信息")
    walk(p, "submitted", title="乙关于学校的信息")
    c = client_for(p.staff)
    rows = c.get(reverse("opinions:list"), {"sort": "title"}).context["rows"]
    assert {r.title for r in rows} == {"甲关于道路的信息", "乙关于学校的信息"}
    rows_desc = c.get(reverse("opinions:list"), {"sort": "-title"}).context["rows"]
    assert [r.title for r in rows_desc] == list(reversed([r.title for r in rows]))
    found = c.get(reverse("opinions:list"), {"q": "学校"}).context["rows"]
    assert [r.title for r in found] == ["乙关于学校的信息"]


def test_desk_shows_the_original_beside_the_edited_text_and_saves_a_version(p):
    report = walk(p, "submitted")
    c = client_for(p.staff)
    page = c.get(reverse("opinions:desk", args=[report.pk]))
    assert page.status_code == 200
    response = c.post(reverse("opinions:desk", args=[report.pk]),
                      _text(situation="编辑后的情况。", version=report.version, note="压缩篇幅"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == S.EDITING and report.situation == "编辑后的情况。"
    page = c.get(reverse("opinions:desk", args=[report.pk])).content.decode()
    left = page.index('data-testid="compare-left"')
    right = page.index('data-testid="compare-right"')
    assert SITUATION in page[left:right] and "编辑后的情况。" in page[right:]
    # the submitter sees the edited text
    html = client_for(p.member).get(reverse("opinions:detail", args=[report.pk])).content.decode()
    assert "编辑后的情况。" in html


def test_desk_over_long_edit_keeps_the_input_and_shows_the_limit(p):
    report = walk(p, "submitted")
    long = "很长" * TEXT_LIMIT
    response = client_for(p.staff).post(reverse("opinions:desk", args=[report.pk]),
                                        _text(situation=long, version=report.version))
    assert response.status_code == 200
    assert long in response.content.decode()
    assert "1,500" in str(response.context["form"].errors) or str(TEXT_LIMIT) in str(response.context["form"].errors)
    report.refresh_from_db()
    assert report.situation == SITUATION


def test_return_needs_a_reason_and_keeps_nothing_lost(p):
    report = walk(p, "submitted")
    c = client_for(p.staff)
    response = c.post(reverse("opinions:act", args=[report.pk, "return"]), {"reason": "", "version": report.version})
    assert response.status_code == 200
    assert any(e["action"] == "return" and "reason" in e["form"].errors for e in response.context["actions"])
    response = c.post(reverse("opinions:act", args=[report.pk, "return"]),
                      {"reason": "请补充数据来源", "version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == S.RETURNED and report.return_reason == "请补充数据来源"


def test_decline_with_reason(p):
    report = walk(p, "submitted")
    response = client_for(p.staff).post(reverse("opinions:act", args=[report.pk, "decline"]),
                                        {"reason": "与已报送信息重复", "version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == S.DECLINED and report.decline_reason == "与已报送信息重复"


def test_combine_from_the_list(p):
    a = walk(p, "submitted", title="信息一")
    b = walk(p, "submitted", title="信息二", author=p.other_member)
    c = client_for(p.staff)
    html = c.get(reverse("opinions:list")).content.decode()
    assert 'data-testid="combine-form"' in html and 'name="reports"' in html
    page = c.get(reverse("opinions:combine"), {"reports": [a.pk, b.pk]})
    assert page.status_code == 200 and "信息一" in page.content.decode()
    response = c.post(reverse("opinions:combine"), {
        **_text(title="综合：两条信息"), "reports": [a.pk, b.pk],
        "versions": [f"{a.pk}:{a.version}", f"{b.pk}:{b.version}"],
    })
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == S.COMBINED and b.state == S.COMBINED and a.combined_into_id == b.combined_into_id
    assert response["Location"] == reverse("opinions:desk", args=[a.combined_into_id])


def test_combine_refuses_a_report_another_staff_member_is_editing(p):
    a = walk(p, "submitted", title="信息一")
    b = walk(p, "submitted", title="信息二", author=p.other_member)
    act(b, p.other_staff, "edit", title=b.title, situation="周干部正在编辑", analysis=b.analysis,
        suggestion=b.suggestion)
    b.refresh_from_db()
    response = client_for(p.staff).post(reverse("opinions:combine"), {
        **_text(title="综合：两条信息"), "reports": [a.pk, b.pk],
    })
    assert response.status_code == 200
    html = response.content.decode()
    assert "综合：两条信息" in html  # typed text kept
    assert any(str(m) for m in response.context["messages"])
    a.refresh_from_db()
    assert a.state == S.SUBMITTED


def test_combine_with_one_report_asks_for_two(p):
    a = walk(p, "submitted")
    response = client_for(p.staff).get(reverse("opinions:combine"), {"reports": [a.pk]})
    assert response.status_code == 302


def test_leader_approves_from_the_queue(p):
    report = walk(p, "awaiting_approval")
    c = client_for(p.leader)
    html = c.get(reverse("opinions:approvals")).content.decode()
    assert report.title in html and 'data-testid="approve"' in html
    response = c.post(reverse("opinions:act", args=[report.pk, "approve"]),
                      {"version": report.version, "next": reverse("opinions:approvals")})
    assert response.status_code == 302 and response["Location"] == reverse("opinions:approvals")
    report.refresh_from_db()
    assert report.state == S.APPROVED


def test_leader_sends_back_with_a_reason(p):
    report = walk(p, "awaiting_approval")
    response = client_for(p.leader).post(reverse("opinions:act", args=[report.pk, "send_back"]),
                                         {"reason": "建议部分再具体些", "version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == S.EDITING


def test_bulletin_composer_forwards_several_reports_in_one_numbered_issue(p):
    one = walk(p, "approved", title="信息一")
    two = walk(p, "approved", title="信息二")
    c = client_for(p.staff)
    page = c.get(reverse("opinions:bulletin_new"))
    assert page.status_code == 200 and page.context["next_number"] == 1
    response = c.post(reverse("opinions:bulletin_new"), {
        "reports": [one.pk, two.pk], "recipients": [p.recipients[0].pk, p.recipients[2].pk], "kind": "special",
        "issued_on": clock.today().isoformat(),
    })
    assert response.status_code == 302
    bulletin = Bulletin.objects.get()
    assert response["Location"] == reverse("opinions:bulletin", args=[bulletin.pk])
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.state == two.state == S.FORWARDED and one.bulletin_id == two.bulletin_id == bulletin.pk
    html = c.get(response["Location"]).content.decode()
    assert "信息一" in html and "信息二" in html and "自治区政协" in html
    assert c.get(reverse("opinions:bulletin_new")).context["next_number"] == 2
    assert "信息一" in c.get(reverse("opinions:bulletins")).content.decode()
    assert len(c.get(reverse("opinions:bulletins"), {"q": "信息二"}).context["rows"]) == 1
    assert len(c.get(reverse("opinions:bulletins"), {"q": "没有这样的标题"}).context["rows"]) == 0


def test_bulletin_composer_without_choices_keeps_the_form(p):
    walk(p, "approved", title="信息一")
    response = client_for(p.staff).post(reverse("opinions:bulletin_new"), {"kind": "special"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_record_adoption_and_instruction_from_the_detail_page(p):
    report = walk(p, "forwarded")
    c = client_for(p.staff)
    html = c.get(reverse("opinions:detail", args=[report.pk])).content.decode()
    assert 'data-testid="form-record_adoption"' in html and 'data-testid="form-record_instruction"' in html
    adoption = {"recipient": p.recipients[0].pk, "level": "prefecture", "kind": "single", "manner": "adopted"}
    assert c.post(reverse("opinions:act", args=[report.pk, "record_adoption"]), adoption).status_code == 302
    assert c.post(reverse("opinions:act", args=[report.pk, "record_adoption"]), adoption).status_code == 302
    assert Adoption.objects.filter(report=report).count() == 1  # twice for the same recipient and level: one
    bad = c.post(reverse("opinions:act", args=[report.pk, "record_instruction"]),
                 {"level": "prefecture", "leader": "张书记", "date": "not a date", "text": "请研究"})
    assert bad.status_code == 200 and "张书记" in bad.content.decode()
    assert not Instruction.objects.exists()
    good = c.post(reverse("opinions:act", args=[report.pk, "record_instruction"]),
                  {"level": "province", "leader": "张书记", "leader_title": "州委书记", "date": "2026-03-02",
                   "text": "请州交通运输局研究落实。"})
    assert good.status_code == 302
    member_view = client_for(p.member).get(reverse("opinions:detail", args=[report.pk])).content.decode()
    assert "请州交通运输局研究落实。" in member_view and 'data-testid="adoption-row"' in member_view


def test_instructions_list_filters_and_exports(p):
    walk(p, "adopted", title="有批示的信息")
    c = client_for(p.leader)
    html = c.get(reverse("opinions:instructions")).content.decode()
    assert "张书记" in html and "有批示的信息" in html
    assert "张书记" not in c.get(reverse("opinions:instructions"), {"level": "national"}).content.decode()
    rows = _xlsx_rows(c.get(reverse("opinions:instructions"), {"format": "xlsx"}))
    assert len(rows) == 2 and "张书记" in rows[1][1]


def test_staff_publish_a_call_and_see_its_answers(p, committee):
    c = client_for(p.staff)
    due = (clock.today() + datetime.timedelta(days=30)).isoformat()
    bad = c.post(reverse("opinions:commissions"), {"topic": "", "description": "围绕乡村振兴", "due_on": due})
    assert bad.status_code == 200 and "围绕乡村振兴" in bad.content.decode()
    response = c.post(reverse("opinions:commissions"), {"topic": "乡村振兴", "description": "围绕乡村振兴", "due_on": due})
    assert response.status_code == 302
    call = Commission.objects.get(topic="乡村振兴")
    report = services.opinion_create(actor=p.member, committee=committee, commission=call, **_text(title="乡村振兴的建议"))
    act(report, p.member, "submit")
    html = c.get(reverse("opinions:commission", args=[call.pk])).content.decode()
    assert "乡村振兴的建议" in html
    rows = _xlsx_rows(c.get(reverse("opinions:commissions"), {"format": "xlsx"}))
    assert rows[1][0] == "乡村振兴" and rows[1][3] in (1, "1")


def test_every_list_exports_what_it_shows(p):
    walk(p, "submitted", title="=SUM(A1) 公式样标题")
    walk(p, "awaiting_approval", title="待签发信息")
    walk(p, "adopted", title="已采用信息")
    staff = client_for(p.staff)
    rows = _xlsx_rows(staff.get(reverse("opinions:list"), {"tab": "all", "format": "xlsx"}))
    titles = [r[1] for r in rows[1:]]
    assert "=SUM(A1) 公式样标题" in titles and "待签发信息" in titles and len(rows) == 4
    rows = _xlsx_rows(staff.get(reverse("opinions:list"), {"tab": "submitted", "format": "xlsx"}))
    assert [r[1] for r in rows[1:]] == ["=SUM(A1) 公式样标题"]
    rows = _xlsx_rows(client_for(p.leader).get(reverse("opinions:approvals"), {"format": "xlsx"}))
    assert [r[1] for r in rows[1:]] == ["待签发信息"]
    rows = _xlsx_rows(client_for(p.member).get(reverse("opinions:mine"), {"format": "xlsx"}))
    assert len(rows) == 4 and any("州委" in (r[3] or "") for r in rows[1:])
    rows = _xlsx_rows(staff.get(reverse("opinions:bulletins"), {"format": "xlsx"}))
    assert len(rows) == 2 and "已采用信息" in rows[1][4]


def test_member_cannot_record_an_adoption(p):
    report = walk(p, "forwarded")
    response = client_for(p.member).post(reverse("opinions:act", args=[report.pk, "record_adoption"]),
                                         {"recipient": p.recipients[0].pk, "level": "prefecture", "kind": "single"})
    assert response.status_code == 403
    assert not Adoption.objects.exists()


def test_a_long_list_is_exported_in_the_background(p, settings, django_capture_on_commit_callbacks):
    from xieshang.core.models import Export

    settings.XIESHANG_EXPORT_INLINE_MAX_ROWS = 1
    walk(p, "submitted", title="长列表一")
    walk(p, "submitted", title="长列表二")
    walk(p, "editing", title="不在本页")
    c = client_for(p.staff)
    url = reverse("opinions:list") + "?tab=submitted&sort=-title&format=xlsx"
    ask = c.get(url)
    assert ask.status_code == 200 and 'data-testid="export-queue"' in ask.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("core:exports")
    export = Export.objects.get()
    assert export.kind == "opinions" and export.params.get("state") == "submitted"
    assert export.params.get("sort") == "-title"
    assert export.state == "done", export.error  # the test settings run tasks at once
    download = c.get(reverse("core:export_download", args=[export.pk]))
    rows = _xlsx_rows(download)
    assert [r[1] for r in rows[1:]] == ["长列表二", "长列表一"]  # the list's filter and order
    # a filter the background kind does not take: written at once
    inline = c.get(reverse("opinions:list"), {"tab": "submitted", "category": "society", "format": "xlsx"})
    assert inline.status_code == 200 and inline["Content-Type"].startswith("application/vnd.openxmlformats")


def test_workbench_links_by_state_open_the_matching_tab(p):
    walk(p, "editing", title="编辑中的信息")
    walk(p, "submitted", title="新收到的信息")
    response = client_for(p.staff).get(reverse("opinions:list"), {"state": "editing"})
    assert response.context["tab"] == "editing"
    assert [r.title for r in response.context["rows"]] == ["编辑中的信息"]


def test_a_leader_records_an_instruction_from_the_report(p):
    report = walk(p, "forwarded")
    c = client_for(p.leader)
    html = c.get(reverse("opinions:detail", args=[report.pk])).content.decode()
    assert 'data-testid="form-record_instruction"' in html
    assert 'data-testid="form-record_adoption"' not in html  # the office records adoptions
    response = c.post(reverse("opinions:act", args=[report.pk, "record_instruction"]),
                      {"level": "prefecture", "leader": "马主席", "date": "2026-04-01", "text": "请继续跟踪。"})
    assert response.status_code == 302
    assert Instruction.objects.get(report=report).text == "请继续跟踪。"
    html = c.get(reverse("opinions:instructions")).content.decode()
    assert "请继续跟踪。" in html
