"""The liaison screens: hostile text through every page, Excel export, Word file and API answer (core's
check_pages); the registers filter, sort, search and paginate with a fixed number of queries; the pages are
404 for other roles; a form's errors keep what was typed; a leader turns a suggestion into a draft from the
visit page."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xieshang.core import clock
from xieshang.core.tests.test_hostile_text import LONG_CHINESE, Page, check_pages, hostile
from xieshang.liaison import services

from .factories import action_data, make_world, new_report, new_task, new_visit, walk_report

pytestmark = pytest.mark.django_db

NAME = "张<script>{{ 7*7 }}"


@pytest.fixture
def world():
    w = make_world()
    w.report = new_report(w, title=hostile("报告"), body=hostile("正文") + LONG_CHINESE[:2000])
    for action, actor, data in (("submit", w.staff, {}), ("approve", w.leader, {}),
                                ("send", w.staff, {**action_data("send"), "document_number": hostile("号")[:40]}),
                                ("record_instruction", w.staff, {**action_data("instruction"),
                                                                 "instruction_by": NAME, "text": hostile("批示")})):
        services.report_act(actor=actor, report=w.report, action=action, data=data)
    w.rule = services.rule_create(actor=w.staff, committee=w.committee, data={
        "title": hostile("制度"), "meeting": NAME, "adopted_on": clock.today().isoformat(), "note": hostile("说明")})
    w.task = new_task(w, title=hostile("任务"), content=hostile("内容"), source_document=hostile("文件"))
    services.task_act(actor=w.staff, task=w.task, action="note", data={"text": hostile("进展")})
    w.visit = new_visit(w, subject=hostile("走访"), place=hostile("地点"), heard=hostile("听到"),
                        people=[{"kind": "entrepreneur", "name": NAME, "affiliation": hostile("公司")}],
                        suggestions=[hostile("建议"), "建议二"])
    w.suggestion = w.visit.suggestions.order_by("id").first()
    services.suggestion_convert(actor=w.leader, suggestion=w.suggestion, to="proposal")
    return w


def _pages():
    r = lambda name, *args: (lambda w: reverse(name, args=[getattr(w, a).pk if isinstance(a, str) else a  # noqa: E731
                                                          for a in args]))
    report_shows = lambda w: [w.report.title, w.report.instruction, w.report.document_number]  # noqa: E731
    pages = [
        Page("reports", "staff", r("liaison:reports"), shows=lambda w: [w.report.title]),
        Page("reports xlsx", "staff", lambda w: reverse("liaison:reports") + "?format=xlsx", "xlsx", shows=report_shows),
        Page("report", "leader", r("liaison:report", "report"), shows=report_shows),
        Page("report docx", "staff", r("liaison:report_docx", "report"), "docx",
             shows=lambda w: [w.report.title, w.report.instruction]),
        Page("register docx", "leader", lambda w: reverse("liaison:register_docx") + f"?year={w.report.year}", "docx",
             shows=lambda w: [w.report.title]),
        Page("approvals", "leader", r("liaison:approvals")),
        Page("rules", "leader", r("liaison:rules"), shows=lambda w: [w.rule.title]),
        Page("rules xlsx", "staff", lambda w: reverse("liaison:rules") + "?format=xlsx", "xlsx",
             shows=lambda w: [w.rule.title, w.rule.adopted_by]),
        Page("rule", "staff", r("liaison:rule", "rule"), shows=lambda w: [w.rule.title, w.rule.adopted_by]),
        Page("tasks", "staff", r("liaison:tasks"), shows=lambda w: [w.task.title]),
        Page("tasks xlsx", "staff", lambda w: reverse("liaison:tasks") + "?format=xlsx", "xlsx",
             shows=lambda w: [w.task.title, w.task.source_document]),
        Page("task", "leader", r("liaison:task", "task"), shows=lambda w: [w.task.title, w.task.source_document]),
        Page("visits", "staff", r("liaison:visits"), shows=lambda w: [w.visit.place]),
        Page("visits xlsx", "staff", lambda w: reverse("liaison:visits") + "?format=xlsx", "xlsx",
             shows=lambda w: [w.visit.subject, w.visit.heard]),
        Page("my visits", "leader", r("liaison:my_visits")),
        Page("visit", "leader", r("liaison:visit", "visit"),
             shows=lambda w: [w.visit.subject, w.visit.place, NAME, w.suggestion.text]),
        Page("visit edit", "leader", r("liaison:visit_edit", "visit")),
        Page("suggestions", "staff", r("liaison:suggestions")),
        Page("suggestions xlsx", "staff", lambda w: reverse("liaison:suggestions") + "?format=xlsx", "xlsx",
             shows=lambda w: [w.suggestion.text]),
        Page("new report", "staff", r("liaison:report_new")),
        Page("new rule", "staff", r("liaison:rule_new")),
        Page("new task", "staff", r("liaison:task_new")),
        Page("new visit", "staff", r("liaison:visit_new")),
        Page("new visit (leader)", "leader", r("liaison:visit_new")),
        Page("api report", "staff", lambda w: f"/api/v1/liaison/reports/{w.report.pk}", "json", shows=report_shows),
        Page("api visit", "staff", lambda w: f"/api/v1/liaison/visits/{w.visit.pk}", "json",
             shows=lambda w: [w.visit.subject, NAME, w.suggestion.text]),
        Page("api tasks", "staff", lambda w: "/api/v1/liaison/tasks", "json", shows=lambda w: [w.task.title]),
    ]
    return pages


def test_hostile_text_through_every_page_export_and_document(world):
    assert not check_pages(world, _pages())


def test_pages_are_404_for_members_and_units(world):
    for role in ("member", "unit"):
        client = Client()
        client.force_login(getattr(world, role))
        for page in _pages():
            if page.kind == "json":
                continue
            assert client.get(page.url(world)).status_code == 404, (role, page.name)


def test_registers_filter_sort_search_and_page(world):
    client = Client()
    client.force_login(world.staff)
    for i in range(3):
        new_report(world, title=f"关于供暖第{i}号的报告", kind="periodic")
    url = reverse("liaison:reports")
    page = client.get(url, {"q": "供暖第1号"}).content.decode()
    assert "供暖第1号" in page and "供暖第2号" not in page
    assert client.get(url, {"kind": "periodic", "sort": "-title", "page_size": 10}).content.decode().count(
        'data-testid="row"') == 3
    assert client.get(url, {"state": "nonsense", "year": "x"}).status_code == 200  # dropped and reported
    two = client.get(url, {"page_size": 10, "page": 2})
    assert two.status_code == 200
    for name in ("liaison:reports", "liaison:tasks", "liaison:visits", "liaison:rules", "liaison:suggestions"):
        with CaptureQueriesContext(connection) as small:
            assert client.get(reverse(name)).status_code == 200
        for i in range(4):
            new_visit(world, suggestions=[f"建议{i}"])
            new_task(world, title=f"任务{i}")
            new_report(world, title=f"报告{i}")
        with CaptureQueriesContext(connection) as large:
            assert client.get(reverse(name)).status_code == 200
        assert len(large) <= len(small), (name, len(small), len(large))  # no query per row


def test_a_form_error_keeps_what_was_typed(world):
    client = Client()
    client.force_login(world.staff)
    response = client.post(reverse("liaison:task_new"), {
        "title": "保留的标题", "source_document": "交办单", "content": "内容", "owner_kind": "office",
        "due_on": (clock.today() - datetime.timedelta(days=3)).isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    assert "保留的标题" in page and 'class="error"' in page


def test_a_leader_converts_a_suggestion_from_the_visit_page(world):
    client = Client()
    client.force_login(world.leader)
    second = world.visit.suggestions.order_by("id").last()
    response = client.post(reverse("liaison:suggestion_act", args=[second.pk, "convert"]),
                           {"to": "proposal", "expected_version": second.version})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.proposal.created_by == world.leader
    page = client.get(reverse("liaison:visit", args=[world.visit.pk])).content.decode()
    assert reverse("proposals:detail", args=[second.proposal_id]) in page
    staff = Client()
    staff.force_login(world.staff)
    page = staff.post(reverse("liaison:report_act", args=[new_report(world).pk, "send"]), {}).content.decode()
    assert response.status_code == 302 and "error" in page  # not possible in a draft: the message, no 500


def test_the_draft_and_the_demand_show_where_they_came_from(world):
    visit = new_visit(world, suggestions=["建议甲", "路灯坏了", "建议乙"])
    first, second, third = visit.suggestions.order_by("id")
    services.suggestion_convert(actor=world.leader, suggestion=first, to="opinion")
    services.suggestion_convert(actor=world.staff, suggestion=second, to="demand", place=world.place.pk)
    services.suggestion_convert(actor=world.leader, suggestion=third, to="proposal")
    for row in (first, second, third):
        row.refresh_from_db()
    client = Client()
    client.force_login(world.leader)
    for url in (reverse("opinions:detail", args=[first.opinion_id]), reverse("grassroots:demand", args=[second.demand_id]),
                reverse("proposals:detail", args=[third.proposal_id])):
        page = client.get(url).content.decode()
        assert 'data-testid="visit-origin"' in page and reverse("liaison:visit", args=[visit.pk]) in page, url


def test_the_convert_form_offers_a_demand_only_to_those_who_may_record_one():
    """A visiting leader without a member record may not record a citizen's demand (grassroots' rule): the
    visit page does not offer it to them; the office, on the same suggestion, is offered it."""
    w = make_world()
    visit = new_visit(w, leader=w.leader2, suggestions=["路灯坏了"])
    pages = {}
    for who in ("leader2", "staff"):
        client = Client()
        client.force_login(getattr(w, who))
        pages[who] = client.get(reverse("liaison:visit", args=[visit.pk])).content.decode()
    assert 'value="proposal"' in pages["leader2"] and 'value="demand"' not in pages["leader2"]
    assert 'value="demand"' in pages["staff"]
