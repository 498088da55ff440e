"""The plan and topic screens per role (the board, the topic list with filters, sort and Excel, the topic desk, my
topics and the submit form, the Word file), refused input next to its field with everything typed kept, and
hostile text through every new page, the export, the Word file and the API — shown exactly, as text."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse

from xieshang.consultation import plan_services
from xieshang.consultation.models import ConsultationTopic
from xieshang.consultation.tests.factories import make_world
from xieshang.consultation.tests.test_views import client
from xieshang.consultation.tests.plan_factories import MEETING_DAY, open_plan, submit, topic_to
from xieshang.core import clock
from xieshang.core.tests.test_hostile_text import Page, check_pages, hostile

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def test_pages_per_role(w):
    t = topic_to("scheduled", w)
    plan = t.plan
    pages = [reverse("consultation:plan") + "?year=2026", reverse("consultation:topics"),
             reverse("consultation:topic", args=[t.pk]), reverse("consultation:plan_docx", args=[plan.pk])]
    for user in (w.staff, w.admin, w.leader):
        for url in pages:
            assert client(user).get(url).status_code == 200, (user, url)
    for user in (w.member, w.unit, w.outsider):
        for url in pages[:2] + pages[3:]:
            assert client(user).get(url).status_code == 404, (user, url)
    assert client(w.member).get(pages[2]).status_code == 200  # their own topic
    assert client(w.outsider).get(pages[2]).status_code == 404
    r = client(w.member, "zh-hans").get(reverse("consultation:my_topics"))
    assert r.status_code == 200 and t.title in r.content.decode()
    assert client(w.unit).get(reverse("consultation:my_topics")).status_code == 404
    board = client(w.staff).get(pages[0]).content.decode()
    assert f'data-topic="{t.pk}"' in board and 'data-month="5"' in board


def test_list_filters_sort_and_excel(w):
    topic_to("declined", w)
    submit(w, title="第二个议题")
    staff = client(w.staff)
    r = staff.get(reverse("consultation:topics"), {"state": "declined", "sort": "-title", "year": "x", "page": "99"})
    page = r.content.decode()
    assert r.status_code == 200 and "加快普惠托育" in page and "第二个议题" not in page
    r = staff.get(reverse("consultation:topics"), {"q": "第二个"})
    assert "第二个议题" in r.content.decode() and "加快普惠托育" not in r.content.decode()
    x = staff.get(reverse("consultation:topics"), {"format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(x.streaming_content))).active
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert "第二个议题" in cells and "建议以提案形式提出。" in cells


def test_the_topic_list_has_a_fixed_number_of_queries(w):
    for i in range(3):
        submit(w, title=f"议题{i}")
    staff = client(w.staff)
    staff.get(reverse("consultation:topics"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        staff.get(reverse("consultation:topics"))
    for i in range(12):
        submit(w, title=f"更多议题{i}")
    with CaptureQueriesContext(connection) as large:
        staff.get(reverse("consultation:topics"))
    assert len(large) == len(small)


def test_submit_form_keeps_what_was_typed_and_the_desk_refuses_next_to_the_field(w):
    open_plan(w)
    member = client(w.member)
    data = {"title": "", "reason": "理由<很长>", "form": "sector", "source": "member"}
    r = member.post(reverse("consultation:topic_new"), data)
    assert r.status_code == 422 and "理由&lt;很长&gt;" in r.content.decode()
    data["title"] = "新议题"
    r = member.post(reverse("consultation:topic_new"), data)
    assert r.status_code == 302 and ConsultationTopic.objects.get(title="新议题").source == "member"
    plan_services.topic_decline(actor=w.staff, topic=ConsultationTopic.objects.get(title="新议题"), reason="另行安排")
    t = topic_to("approved", w)
    staff = client(w.staff)
    r = staff.post(reverse("consultation:topic_act", args=[t.pk, "schedule"]),
                   {"start_on": "2026-01-05", "place": "会议室甲", "half_days": "1"})
    page = r.content.decode()
    assert r.status_code == 422 and "会议室甲" in page and "cannot be in the past" in page
    r = staff.post(reverse("consultation:topic_act", args=[t.pk, "schedule"]),
                   {"start_on": MEETING_DAY.isoformat(), "place": "会议室甲", "half_days": "1"})
    assert r.status_code == 302 and ConsultationTopic.objects.get(pk=t.pk).state == "scheduled"
    assert client(w.leader).post(reverse("consultation:topic_act", args=[t.pk, "decline"]), {"reason": "x"}).status_code == 403


def test_plan_board_actions_and_the_call(w):
    staff = client(w.staff)
    r = staff.post(reverse("consultation:plan_new"), {"year": "2026", "deadline": "2026-01-01", "text": "征集<通知>"})
    assert r.status_code == 422 and "征集&lt;通知&gt;" in r.content.decode()
    r = staff.post(reverse("consultation:plan_new"), {"year": "2026", "deadline": "2026-03-20", "text": "征集"})
    assert r.status_code == 302
    t = submit(w)
    staff.post(reverse("consultation:topic_act", args=[t.pk, "shortlist"]), {"month": "6"})
    plan = ConsultationTopic.objects.get(pk=t.pk).plan
    clock.set_to(MEETING_DAY)
    r = staff.post(reverse("consultation:plan_act", args=[plan.pk, "approve_chair"]), {"date": "2026-01-01", "document": "纪要一号"})
    assert r.status_code == 422 and "纪要一号" in r.content.decode()
    r = staff.post(reverse("consultation:plan_act", args=[plan.pk, "approve_chair"]), {"date": "2026-05-01", "document": "纪要一号"})
    assert r.status_code == 302
    board = staff.get(reverse("consultation:plan") + "?year=2026").content.decode()
    assert 'data-testid="act-approve_party"' in board and "纪要一号" in board
    assert 'data-testid="act-approve_chair"' not in board


def test_hostile_text_through_every_new_page_export_document_and_api(w):
    from types import SimpleNamespace

    from xieshang.core.models import Organization

    title, reason = hostile("议题")[:120], hostile("理由")
    org = Organization.objects.create(committee=w.committee, name=hostile("党派")[:60], kind="party")
    other = submit(w, w.staff, title=hostile("另一")[:120], source="organization", organization=org.pk)
    plan_services.topic_shortlist(actor=w.staff, topic=other, month=9)
    t = topic_to("scheduled", w, submit(w, title=title, reason=reason))
    world = SimpleNamespace(staff=w.staff, member=w.member, topic=t, plan=t.plan)

    pages = [
        Page("board", "staff", lambda x: reverse("consultation:plan") + "?year=2026", shows=lambda x: [title]),
        Page("topics", "staff", lambda x: reverse("consultation:topics"), shows=lambda x: [title, org.name]),
        Page("desk", "staff", lambda x: reverse("consultation:topic", args=[x.topic.pk]), shows=lambda x: [title, reason]),
        Page("mine", "member", lambda x: reverse("consultation:my_topics"), shows=lambda x: [title]),
        Page("member desk", "member", lambda x: reverse("consultation:topic", args=[x.topic.pk]),
             shows=lambda x: [title, reason]),
        Page("excel", "staff", lambda x: reverse("consultation:topics") + "?format=xlsx", kind="xlsx",
             shows=lambda x: [title, org.name]),
        Page("word", "staff", lambda x: reverse("consultation:plan_docx", args=[x.plan.pk]), kind="docx",
             shows=lambda x: [title], contains=True),
        Page("meeting", "staff", lambda x: reverse("consultation:meeting", args=[x.topic.meeting_id]),
             shows=lambda x: [title]),
    ]
    assert check_pages(world, pages) == []
    from xieshang.api.tests.conftest import ApiClient, issue_token

    body = ApiClient(issue_token(w.member)).get(f"consultation/topics/{t.pk}").json()
    assert body["title"] == title and body["reason"] == reason
