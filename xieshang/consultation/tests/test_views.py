"""The meeting screens per role: the staff list (filters, sort, pages, Excel), planning (bad dates refused next to
the field with everything typed kept), the desk (sign-in list, leave approvals, speeches, minutes, outcome),
the member's pages (my meetings, leave, the code on the phone), and who gets 404."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from xieshang.consultation.models import Attendance, LeaveState, MeetingState
from xieshang.consultation.tests.factories import MEETING_DAY, make_world, plan, walk_to
from xieshang.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def client(user, lang="en"):
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = lang
    return c


def test_the_list_per_role_with_filters_sort_and_excel(w):
    plan(w, kind="plenary", form="", members=[], title="第一次全体会议")
    walk_to("notified", w)
    staff = client(w.staff)
    r = staff.get(reverse("consultation:meetings"))
    assert r.status_code == 200 and "第一次全体会议" in r.content.decode()
    r = staff.get(reverse("consultation:meetings"), {"kind": "standing", "sort": "-title", "year": "x"})
    assert r.status_code == 200 and "第一次全体会议" not in r.content.decode()
    x = staff.get(reverse("consultation:meetings"), {"format": "xlsx"})
    assert x.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(x.streaming_content))).active
    assert "第一次全体会议" in [c.value for row in sheet.iter_rows() for c in row]
    assert client(w.leader).get(reverse("consultation:meetings")).status_code == 200
    for user in (w.member, w.unit):
        assert client(user).get(reverse("consultation:meetings")).status_code == 404
    assert client(w.leader).get(reverse("consultation:meeting_new")).status_code == 404


def test_planning_refuses_a_past_day_next_to_the_field_and_keeps_what_was_typed(w):
    staff = client(w.staff)
    data = {"kind": "consultation", "form": "sector", "title": "界别协商会<b>", "start_on": "2026-02-01",
            "end_on": "2026-02-01", "half_days": "1", "place": "会议室", "notice": "请准时参会",
            "members": [w.member_row().pk]}
    r = staff.post(reverse("consultation:meeting_new"), data)
    page = r.content.decode()
    assert r.status_code == 200 and "The first day cannot be in the past" in page
    assert 'value="界别协商会&lt;b&gt;"' in page and "请准时参会" in page
    data.update(start_on="2026-04-10", end_on="2026-04-09")
    assert "The last day cannot be before the first day." in staff.post(reverse("consultation:meeting_new"), data).content.decode()
    data.update(end_on="2026-04-10")
    r = staff.post(reverse("consultation:meeting_new"), data)
    assert r.status_code == 302


def test_the_desk_runs_a_meeting(w):
    m = walk_to("notified", w)
    staff = client(w.staff)
    page = staff.get(reverse("consultation:meeting", args=[m.pk])).content.decode()
    assert m.sign_in_code in page and 'data-testid="attendance-row"' in page
    member = client(w.member)
    assert member.post(reverse("consultation:sign_up", args=[m.pk])).status_code == 302
    r = member.post(reverse("consultation:leave", args=[m.pk]), {"reason": "出差在外"})
    assert r.status_code == 302
    leave = m.leave_requests.get()
    r = staff.post(reverse("consultation:leave_decide", args=[m.pk, leave.pk]), {"approve": "1", "answer": ""})
    leave.refresh_from_db()
    assert leave.state == LeaveState.APPROVED
    clock.set_to(MEETING_DAY)
    r = staff.post(reverse("consultation:meeting_act", args=[m.pk, "hold"]), {"expected_version": m.version + 0})
    m.refresh_from_db()
    assert r.status_code == 302 and m.state == MeetingState.HELD
    r = staff.post(reverse("consultation:attendance", args=[m.pk]),
                   {"member": w.member_row(w.other_member).pk, "status": "present", "half_days": "2"})
    assert r.status_code == 302
    r = staff.post(reverse("consultation:attendance", args=[m.pk]),
                   {"member": w.member_row(w.other_member).pk, "status": "present", "half_days": "9"})
    assert r.status_code == 422 and "At most 2 half-days" in r.content.decode()
    r = staff.post(reverse("consultation:speech_add", args=[m.pk]),
                   {"member": w.member_row().pk, "kind": "oral", "title": "关于营商环境的发言", "text": ""})
    assert r.status_code == 302
    r = staff.post(reverse("consultation:meeting_act", args=[m.pk, "send_minutes"]),
                   {"minutes": "", "recipients": "州委", "expected_version": m.version})
    assert r.status_code == 422
    r = staff.post(reverse("consultation:meeting_act", args=[m.pk, "send_minutes"]),
                   {"minutes": "纪要正文", "recipients": "州委、州政府", "expected_version": m.version})
    assert r.status_code == 302
    r = staff.post(reverse("consultation:outcome_add", args=[m.pk]),
                   {"title": "协商成果", "text": "建议", "recipients": "州委、州政府", "sent_on": ""})
    assert r.status_code == 302
    page = staff.get(reverse("consultation:meeting", args=[m.pk])).content.decode()
    assert "关于营商环境的发言" in page and "纪要正文" in page and "协商成果" in page
    assert Attendance.objects.filter(meeting=m).count() == 2
    docx = staff.get(reverse("consultation:notice_docx", args=[m.pk]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_member_pages(w):
    m = walk_to("notified", w)
    member = client(w.member)
    page = member.get(reverse("consultation:mine")).content.decode()
    assert m.title in page and 'data-testid="sign-up"' in page
    assert member.get(reverse("consultation:meeting", args=[m.pk])).status_code == 200
    assert client(w.outsider).get(reverse("consultation:meeting", args=[m.pk])).status_code == 404
    assert client(w.outsider).get(reverse("consultation:mine")).status_code == 200
    assert client(w.unit).get(reverse("consultation:mine")).status_code == 404
    clock.set_to(MEETING_DAY)
    r = member.post(reverse("consultation:leave", args=[m.pk]), {"reason": "临时有事，无法参会"})
    page = r.content.decode()
    assert r.status_code == 422 and "The meeting started on 2026-04-01" in page and "临时有事，无法参会" in page
    r = member.post(reverse("consultation:sign_in"), {"code": "12"})
    assert r.status_code == 422 and 'value="12"' in r.content.decode()
    r = member.post(reverse("consultation:sign_in"), {"code": m.sign_in_code})
    assert r.status_code == 302 and Attendance.objects.get(meeting=m).source == "code"
    assert client(w.outsider).post(reverse("consultation:sign_in"), {"code": m.sign_in_code}).status_code == 422


def test_actions_refused_per_role_on_pages(w):
    m = walk_to("notified", w)
    assert client(w.leader).post(reverse("consultation:meeting_act", args=[m.pk, "cancel"]), {"reason": "x"}).status_code == 403
    assert client(w.member).post(reverse("consultation:attendance", args=[m.pk]), {}).status_code == 403
    assert client(w.outsider).post(reverse("consultation:attendance", args=[m.pk]), {}).status_code == 404
    assert client(w.staff).post(reverse("consultation:meeting_act", args=[m.pk, "dance"])).status_code == 404


def test_hostile_text_comes_out_as_text(w):
    evil = "<script>alert(1)</script> {{ x }} \"'"
    m = walk_to("notified", w, plan(w, title=evil[:60], place=evil, notice=evil))
    page = client(w.staff).get(reverse("consultation:meeting", args=[m.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    with translation.override("en"):
        assert "{{ x }}" in page


def test_the_list_and_the_desk_read_a_fixed_number_of_queries(w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xieshang.consultation.tests.factories import make_member_user

    staff = client(w.staff)
    counts = []
    for n in (1, 4):
        for _i in range(n):
            make_member_user(w.committee)
            plan(w, kind="plenary", form="", members=[])
        m = plan(w, kind="plenary", form="", members=[])
        staff.get(reverse("consultation:meetings"))  # warm the per-process caches
        with CaptureQueriesContext(connection) as listed:
            assert staff.get(reverse("consultation:meetings")).status_code == 200
        with CaptureQueriesContext(connection) as desk:
            assert staff.get(reverse("consultation:meeting", args=[m.pk])).status_code == 200
        counts.append((len(listed), len(desk)))
    assert counts[0] == counts[1], counts
