"""The minutes (会议纪要) as a Word file in the official layout (issue #14, item 9): the masthead with the year's issue
number and the local day, the title, when and where, the minutes' text as typed (hostile text stays text), the
speeches, who attended and who was on leave (the absent counted), and 报送: the recipients. The office and leaders
download it once the minutes are recorded; before, and for anyone else — an invited member included, who sees the
notice but not the meeting's record — the same 404. A meeting scheduled from a topic (the topic's title) is named
“<title>”<form> in both documents."""

from __future__ import annotations

import io

import docx
import pytest
from django.urls import reverse

from xieshang.consultation import services
from xieshang.consultation.tests.factories import MEETING_DAY, TODAY, make_world, plan, walk_to
from xieshang.consultation.tests.test_views import client
from xieshang.core import clock

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script> =HYPERLINK(\"x\") \x07 {{ secret }}"


def text_of(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    return "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)


def test_the_minutes_as_word_with_attendance_speeches_and_recipients():
    import datetime

    w = make_world()
    m = walk_to("held", w)
    url = reverse("consultation:minutes_docx", args=[m.pk])
    staff = client(w.staff)
    assert staff.get(url).status_code == 404  # no minutes yet
    member, other = w.member_row(), w.member_row(w.other_member)
    services.attendance_record(actor=w.staff, meeting=m, data={"member": member.pk, "status": "present"})
    services.attendance_record(actor=w.staff, meeting=m, data={"member": other.pk, "status": "leave"})
    services.speech_add(actor=w.staff, meeting=m, data={"member": member.pk, "kind": "written",
                                                        "title": "关于优化营商环境的书面发言", "text": ""})
    m.refresh_from_db()
    clock.set_to(datetime.datetime.combine(MEETING_DAY, datetime.time(7, 0)))  # 07:00 in Beijing: the day before in UTC
    services.meeting_act(actor=w.staff, meeting=m, action="send_minutes", data={
        "minutes": f"会议听取了有关部门情况通报。\n委员们建议{HOSTILE}。", "recipients": "州委、州政府"})
    text = text_of(staff.get(url))
    assert "会议纪要" in text and f"{m.year}年第1期" in text
    assert f"{MEETING_DAY.year}年{MEETING_DAY.month}月{MEETING_DAY.day}日" in text  # the local day, not UTC's
    assert f"{m.title}纪要" in text and "现将会议主要情况纪要如下" in text
    assert f"召开{m.title}。" in text  # "…专题协商会" names its form: no "（专题协商会）" after it
    assert "会议听取了有关部门情况通报。" in text and "<script>alert(1)</script>" in text and "{{ secret }}" in text
    assert "\x07" not in text
    assert "1．" in text and f"{member.name}（书面发言）：关于优化营商环境的书面发言" in text
    assert f"出席：{member.name}（1人）" in text and f"请假：{other.name}（1人）" in text and "缺席" not in text
    assert "报送：州委、州政府。" in text
    attendance = [p for p in docx.Document(io.BytesIO(staff.get(url).content)).paragraphs
                  if p.text.startswith(("出席：", "请假："))]
    assert [[r.font.name for r in p.runs] for p in attendance] == [["黑体", "仿宋_GB2312"]] * 2  # label in 黑体

    # the office and leaders read the record; an invited member, an outsider and a unit get the 404 of a missing one
    assert text_of(client(w.leader).get(url))
    for user in (w.member, w.outsider, w.unit):
        assert client(user).get(url).status_code == 404
    assert staff.get(reverse("consultation:minutes_docx", args=[2147483647])).status_code == 404
    page = staff.get(reverse("consultation:meeting", args=[m.pk])).content.decode()
    assert f'href="{url}"' in page
    assert f'href="{url}"' not in client(w.member).get(reverse("consultation:meeting", args=[m.pk])).content.decode()

    # the year's second minutes are issue 2; an absent member is counted, not named
    clock.set_to(TODAY)
    second = walk_to("held", w, plan(w, title="关于供暖保障的专题协商会"))
    services.attendance_record(actor=w.staff, meeting=second, data={"member": other.pk, "status": "absent"})
    second.refresh_from_db()
    services.meeting_act(actor=w.staff, meeting=second, action="send_minutes", data={"minutes": "纪要正文。"})
    text = text_of(staff.get(reverse("consultation:minutes_docx", args=[second.pk])))
    assert f"{second.year}年第2期" in text and "缺席：1人" in text and other.name not in text.split("缺席")[1]


def test_a_meeting_with_a_topics_title_is_named_with_its_form():
    w = make_world()
    m = walk_to("minutes_sent", w, plan(w, title="加快普惠托育服务体系建设", form="sector"))
    staff = client(w.staff)
    notice = text_of(staff.get(reverse("consultation:notice_docx", args=[m.pk])))
    minutes = text_of(staff.get(reverse("consultation:minutes_docx", args=[m.pk])))
    assert "关于召开“加快普惠托育服务体系建设”界别协商会的通知" in notice
    assert "召开“加快普惠托育服务体系建设”界别协商会。" in notice
    assert "“加快普惠托育服务体系建设”界别协商会纪要" in minutes
    assert "召开“加快普惠托育服务体系建设”界别协商会。" in minutes


def test_the_api_serves_the_notice_and_the_minutes_as_the_pages_do():
    from xieshang.api.tests.conftest import ApiClient, issue_token

    w = make_world()
    m = walk_to("held", w)
    staff, member = ApiClient(issue_token(w.staff)), ApiClient(issue_token(w.member))
    outsider = ApiClient(issue_token(w.outsider))
    minutes, notice = f"meetings/{m.pk}/minutes.docx", f"meetings/{m.pk}/notice.docx"
    assert staff.get(minutes).status_code == 404 and staff.get(minutes).json()["code"] == "not_found"
    assert "关于召开" in text_of(staff.get(notice)) and text_of(member.get(notice))
    services.meeting_act(actor=w.staff, meeting=m, action="send_minutes", data={
        "minutes": "会议听取了有关部门情况通报。", "recipients": "州委、州政府"})
    assert "会议听取了有关部门情况通报。" in text_of(ApiClient(issue_token(w.leader)).get(minutes))
    assert member.get(minutes).status_code == 404  # the invited member reads the notice, not the record
    for path in (minutes, notice):
        assert outsider.get(path).status_code == 404
