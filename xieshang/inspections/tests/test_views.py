"""The screens per role: the plan board, the registers (filters, sort, pages, Excel), the inspection desk, the
supervision desk, special supervisors, my inspections; refused input next to its field with everything typed kept;
hostile text through every page, export and Word file (core's check_pages)."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from xieshang.consultation.tests.test_views import client  # a signed-in client in a language
from xieshang.core.models import Member
from xieshang.core.tests.test_hostile_text import NAME, UNIT_NAME, Page, check_pages, hostile
from xieshang.inspections import services
from xieshang.inspections.tests.factories import (
    action_data, appoint, make_world, plan, walk_supervision_to, walk_to,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def test_registers_per_role_with_filters_sort_and_excel(w):
    walk_to("under_way", w)
    plan(w, kind="inspection", title="硅基铝基新材料产业视察")
    walk_supervision_to("reported", w)
    appoint(w)
    staff = client(w.staff)
    for name in ("inspections:inspections", "inspections:supervision", "inspections:supervisors", "inspections:board"):
        r = staff.get(reverse(name))
        assert r.status_code == 200, name
        assert client(w.leader, "zh-hans").get(reverse(name)).status_code == 200
        for user in (w.member, w.unit):
            assert client(user).get(reverse(name)).status_code == 404, (name, user)
    r = staff.get(reverse("inspections:inspections"), {"kind": "inspection", "sort": "-title", "year": "x", "state": "zz"})
    page = r.content.decode()
    assert r.status_code == 200 and "硅基铝基" in page and "数字农业" not in page
    r = staff.get(reverse("inspections:inspections"), {"q": "数字农业发展情况"})
    assert "数字农业" in r.content.decode() and "硅基" not in r.content.decode()
    from openpyxl import load_workbook

    for name, text in (("inspections:inspections", "硅基铝基新材料产业视察"), ("inspections:supervision", "州卫生健康委")):
        x = staff.get(reverse(name), {"format": "xlsx"})
        sheet = load_workbook(io.BytesIO(b"".join(x.streaming_content))).active
        assert text in [c.value for row in sheet.iter_rows() for c in row], name


def test_the_plan_board_shows_each_month(w):
    plan(w, planned_month=5)
    plan(w, planned_month=9, title="医养康养融合发展考察", kind="study_visit")
    r = client(w.staff, "zh-hans").get(reverse("inspections:board"), {"year": 2026})
    page = r.content.decode()
    assert page.count('data-testid="board-item"') == 2 and "医养康养" in page
    assert client(w.leader).get(reverse("inspections:board"), {"year": "abc"}).status_code == 200


def test_planning_refuses_a_past_month_next_to_the_field_and_keeps_what_was_typed(w):
    r = client(w.staff).post(reverse("inspections:inspection_new"), {
        "kind": "research", "title": "普惠托育调研<b>", "year": 2026, "planned_month": 1, "purpose": "了解情况"})
    page = r.content.decode()
    assert r.status_code == 422 and "The planned month cannot be in the past" in page and "普惠托育调研&lt;b&gt;" in page
    r = client(w.staff).post(reverse("inspections:inspection_new"), {
        "kind": "research", "title": "普惠托育调研", "year": 2026, "planned_month": 6})
    assert r.status_code == 302


def test_the_desk_runs_an_inspection_and_keeps_refused_input(w):
    i = walk_to("under_way", w)
    staff = client(w.staff)
    url = reverse("inspections:inspection", args=[i.pk])
    page = staff.get(url).content.decode()
    assert 'data-testid="act-add_visit"' in page and 'data-testid="act-close"' not in page
    act = lambda a: reverse("inspections:inspection_act", args=[i.pk, a])  # noqa: E731
    r = staff.post(act("add_visit"), {"add_visit-date": "2025-01-01", "add_visit-place": "玛纳斯县葡萄酒庄"})
    assert r.status_code == 422 and "玛纳斯县葡萄酒庄" in r.content.decode()
    assert staff.post(act("add_visit"), {"add_visit-date": "2026-03-02", "add_visit-place": "玛纳斯县"}).status_code == 302
    assert staff.post(act("add_recommendation"), {"add_recommendation-text": "延伸产业链",
                                                  "add_recommendation-recipient": "州政府"}).status_code == 302
    assert staff.post(act("draft_report"), {"draft_report-report_title": "调研报告", "draft_report-report_text": "正文",
                                            "draft_report-author": w.member_row().pk}).status_code == 302
    assert staff.post(act("send_report"), {"send_report-recipients": "州委、州政府"}).status_code == 302
    rec = i.recommendations.get()
    assert staff.post(act("close")).status_code == 409
    assert staff.post(act("answer"), {"answer-recommendation": rec.pk, "answer-answer": "已采纳",
                                      "answer-adopted": "1"}).status_code == 302
    assert staff.post(act("close")).status_code == 302
    i.refresh_from_db()
    assert i.state == "closed"
    assert client(w.leader).post(act("cancel"), {"cancel-reason": "x"}).status_code == 403
    assert client(w.outsider).get(url).status_code == 404
    assert client(w.member).get(url).status_code == 200


def test_mine_for_a_member_and_a_leader(w):
    walk_to("under_way", w)
    walk_supervision_to("under_way", w)
    appoint(w)
    page = client(w.member).get(reverse("inspections:mine")).content.decode()
    assert "数字农业" in page and "普惠托育" in page and 'data-testid="my-appointments"' in page
    page = client(w.leader).get(reverse("inspections:mine")).content.decode()
    assert 'data-testid="leading-item"' in page
    assert client(w.unit).get(reverse("inspections:mine")).status_code == 404


def build(w):
    member = w.member_row()
    member.name = NAME
    member.save()
    from xieshang.core.models import HandlingUnit, SpecialCommittee

    sc = SpecialCommittee.objects.create(committee=w.committee, name=hostile("委")[:60])
    w.i_title = hostile("调研")[:120]
    i = plan(w, title=w.i_title, purpose=hostile("目的："), special_committee=sc.pk)
    texts = {"add_visit": {"date": "2026-03-02", "place": hostile("地点")[:120], "units": hostile("单位")},
             "record_findings": {"findings": hostile("发现：")},
             "add_recommendation": {"text": hostile("建议："), "recipient": "州政府"},
             "draft_report": {"report_title": hostile("报告")[:120], "report_text": hostile("正文："),
                              "author": member.pk}}
    for action in ("set_team", "start", "add_visit", "record_findings", "add_recommendation", "draft_report",
                   "send_report", "answer"):
        data = texts.get(action) or action_data(action, w, i)
        if action == "answer":
            data["answer"] = hostile("答复：")
        services.inspection_act(actor=w.staff, inspection=i, action=action, data=data)
    w.inspection = i
    w.texts = texts
    w.s_title = hostile("监督")[:120]
    s = services.supervision_create(actor=w.staff, committee=w.committee,
                                    data={"title": w.s_title, "body": hostile("机关")[:120], "year": 2026})
    walk_supervision_to("under_way", w, s)
    w.s_rec = hostile("监督建议：")
    services.supervision_act(actor=w.staff, item=s, action="add_recommendation",
                             data={"text": w.s_rec, "recipient": hostile("机关")[:60]})
    services.supervision_act(actor=w.staff, item=s, action="report", data={"report_text": hostile("监督报告：")})
    w.supervision = s
    unit = HandlingUnit.objects.create(committee=w.committee, name=UNIT_NAME)
    sup = appoint(w)
    sup.unit = unit
    sup.save()
    w.r_text = hostile("特邀监督员报告：")
    services.supervisor_report_add(actor=w.member, supervisor=sup, data={"title": hostile("标题")[:120], "text": w.r_text})
    w.supervisor = sup


def test_hostile_text_through_every_page_export_and_word(w):
    build(w)
    i, s, sup, t = w.inspection, w.supervision, w.supervisor, w.texts
    pages = [
        Page("board", "staff", lambda w: reverse("inspections:board") + "?year=2026", shows=lambda w: [w.i_title]),
        Page("plan docx", "staff", lambda w: reverse("inspections:plan_docx", args=[2026]), "docx",
             shows=lambda w: [w.i_title]),
        Page("register", "staff", lambda w: reverse("inspections:inspections"), shows=lambda w: [w.i_title]),
        Page("register xlsx", "staff", lambda w: reverse("inspections:inspections") + "?format=xlsx", "xlsx",
             shows=lambda w: [w.i_title]),
        Page("desk", "staff", lambda w: reverse("inspections:inspection", args=[i.pk]),
             shows=lambda w: [w.i_title, t["add_visit"]["units"], t["record_findings"]["findings"],
                              t["add_recommendation"]["text"], t["draft_report"]["report_text"], NAME]),
        Page("desk (member)", "member", lambda w: reverse("inspections:inspection", args=[i.pk]),
             shows=lambda w: [w.i_title]),
        Page("edit", "staff", lambda w: reverse("inspections:inspection_edit", args=[i.pk]), shows=lambda w: [w.i_title]),
        Page("report docx", "staff", lambda w: reverse("inspections:report_docx", args=[i.pk]), "docx",
             shows=lambda w: [t["record_findings"]["findings"], t["add_recommendation"]["text"],
                              t["draft_report"]["report_text"], t["add_visit"]["units"]]),
        Page("supervision", "staff", lambda w: reverse("inspections:supervision"), shows=lambda w: [w.s_title]),
        Page("supervision xlsx", "staff", lambda w: reverse("inspections:supervision") + "?format=xlsx", "xlsx",
             shows=lambda w: [w.s_title]),
        Page("supervision desk", "staff", lambda w: reverse("inspections:supervision_item", args=[s.pk]),
             shows=lambda w: [w.s_title, w.s_rec]),
        Page("supervision api detail", "staff", lambda w: f"/api/v1/consultation/supervision/{s.pk}", "json",
             shows=lambda w: [w.s_title, w.s_rec]),
        Page("supervisors", "staff", lambda w: reverse("inspections:supervisors"), shows=lambda w: [UNIT_NAME, NAME]),
        Page("supervisors xlsx", "staff", lambda w: reverse("inspections:supervisors") + "?format=xlsx", "xlsx",
             shows=lambda w: [UNIT_NAME, NAME]),
        Page("supervisor", "member", lambda w: reverse("inspections:supervisor", args=[sup.pk]),
             shows=lambda w: [w.r_text, UNIT_NAME]),
        Page("mine", "member", lambda w: reverse("inspections:mine"), shows=lambda w: [w.i_title, w.s_title]),
        Page("mine (leader)", "leader", lambda w: reverse("inspections:mine"), shows=lambda w: [w.i_title]),
        Page("api detail", "staff", lambda w: f"/api/v1/consultation/inspections/{i.pk}", "json",
             shows=lambda w: [w.i_title, t["add_recommendation"]["text"]]),
        Page("api supervisor", "staff", lambda w: f"/api/v1/consultation/special-supervisors/{sup.pk}", "json",
             shows=lambda w: [w.r_text]),
    ]
    assert check_pages(w, pages) == []
    assert Member.objects.filter(name=NAME).exists()


def test_the_registers_make_a_fixed_number_of_queries(w, django_assert_max_num_queries):
    """The same number of queries for 2 and for 12 inspections (and supervision items) on a page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(name):
        c = client(w.staff)
        c.get(reverse(name))  # warm the session and caches
        with CaptureQueriesContext(connection) as ctx:
            assert c.get(reverse(name)).status_code == 200
        return len(ctx)

    for n in range(2):
        walk_to("under_way", w, plan(w, title=f"调研{n}"))
        walk_supervision_to("under_way", w)
    small = {name: count(name) for name in ("inspections:inspections", "inspections:supervision", "inspections:board")}
    for n in range(10):
        walk_to("under_way", w, plan(w, title=f"更多调研{n}"))
        walk_supervision_to("under_way", w)
    assert {name: count(name) for name in small} == small


def test_the_forms_render_and_a_bad_term_is_refused_next_to_the_field(w):
    i = walk_to("under_way", w)
    s = walk_supervision_to("planned", w)
    sup = appoint(w)
    staff = client(w.staff, "zh-hans")
    for url in (reverse("inspections:inspection_new"), reverse("inspections:inspection_edit", args=[i.pk]),
                reverse("inspections:supervision_new"), reverse("inspections:supervision_edit", args=[s.pk]),
                reverse("inspections:supervisor_new"), reverse("inspections:supervisor_edit", args=[sup.pk]),
                reverse("inspections:supervision_item", args=[s.pk]), reverse("inspections:supervisor", args=[sup.pk])):
        assert staff.get(url).status_code == 200, url
    r = client(w.staff).post(reverse("inspections:supervisor_new"), {
        "member": w.member_row().pk, "unit": sup.unit_id, "term_start": "2026-06-01", "term_end": "2026-05-01",
        "note": "应邀推荐<i>"})
    page = r.content.decode()
    assert r.status_code == 422 and "The term must end after it starts." in page and "应邀推荐&lt;i&gt;" in page
    r = client(w.staff).post(reverse("inspections:inspection_edit", args=[i.pk]), {
        "kind": "inspection", "title": "改为视察", "year": 2026, "planned_month": 5, "expected_version": i.version})
    assert r.status_code == 302
    i.refresh_from_db()
    assert i.kind == "inspection" and i.title == "改为视察"
    assert client(w.leader).get(reverse("inspections:inspection_edit", args=[i.pk])).status_code == 403


def test_the_desks_history_names_the_states():
    """The history on the desks shows the states by name in the page's language (core's timeline asks the
    Machine), never their codes."""
    w = make_world()
    i, s = walk_to("under_way", w), walk_supervision_to("under_way", w)
    for url in (reverse("inspections:inspection", args=[i.pk]), reverse("inspections:supervision_item", args=[s.pk])):
        zh, en = (client(w.staff, lang).get(url).content.decode() for lang in ("zh-hans", "en"))
        assert "planned → under way" in en and "→ under_way" not in en, url
        assert "→ under_way" not in zh and "→ planned" not in zh, url
