"""The Word papers: an activity's minutes (协商议事活动纪要) and a place's yearly record (站点年度履职记录) open with
python-docx, carry the right content and no citizen's name or phone number; hostile text does not break them;
who may download them."""

from __future__ import annotations

import io

import docx
import pytest
from django.test import Client

from xieshang.core import clock
from xieshang.grassroots import documents, services
from xieshang.grassroots.tests.activity_kit import login, url
from xieshang.grassroots.tests.factories import make_world, new_demand, plan_activity, walk_to

pytestmark = pytest.mark.django_db

HOSTILE = "<script>alert(1)</script> {{ 标题 }} & \"引号\" \x00\x07\x1b 结束\u202e"


@pytest.fixture
def w():
    return make_world()


def text_of(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def _held(w, topic="老旧小区加装电梯协商议事会", minutes="一、居民代表发言\n二、部门回应"):
    activity = plan_activity(w, topic=topic)
    services.activity_hold(actor=w.keeper, activity=activity, present=[w.member_row()],
                           leave=[w.member_row(w.other_member)], citizens_count=18, units_present=[w.unit_row],
                           minutes=minutes)
    services.outcome_add(actor=w.keeper, activity=activity, data={
        "text": "年底前完成两部电梯加装", "owner_kind": "unit", "owner_unit": w.unit_row.pk,
        "due_on": clock.today().replace(month=12, day=31).isoformat()})
    activity.refresh_from_db()
    return activity


def test_the_minutes_carry_the_record(w):
    activity = _held(w)
    demand = new_demand(w, activity=activity.pk)
    response = login(w.keeper).get(url("activity_docx", activity.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    text = text_of(response.content)
    for expected in ("协商议事活动纪要", activity.topic, w.place.name, w.member_row().name,
                     w.member_row(w.other_member).name, w.unit_row.name, "18人", "一、居民代表发言", "二、部门回应",
                     "年底前完成两部电梯加装", "一、会议纪要", "二、成果清单", "三、群众诉求", demand.tracking_code):
        assert expected in text, expected
    assert "13800138000" not in text and "张先生" not in text


def test_hostile_text_does_not_break_the_papers(w):
    activity = _held(w, topic=HOSTILE[:100], minutes=HOSTILE * 50)
    w.place.name = HOSTILE[:60].replace("\x00", "")  # written straight to the row: PostgreSQL refuses NUL (the services drop it)
    w.place.save()
    content = documents.activity_minutes_docx(activity)
    text = text_of(content)
    assert "<script>alert(1)</script>" in text and "{{ 标题 }}" in text and "\x00" not in text
    record = text_of(documents.place_year_docx(w.place, clock.today().year))
    assert "<script>alert(1)</script>" in record


def test_the_yearly_record_of_a_place(w):
    activity = _held(w)
    answered = walk_to("answered", w)
    walk_to("declined", w)
    year = clock.today().year
    response = login(w.keeper).get(url("place_docx", w.place.pk), {"year": year})
    assert response.status_code == 200
    text = text_of(response.content)
    for expected in ("站点年度履职记录", f"{w.place.name}{year}年度履职记录", "一、基本情况", "二、活动开展情况",
                     "三、委员出勤情况", "四、群众诉求及办理情况", activity.topic, w.member_row().name,
                     "全年收到群众诉求2件，已答复1件", answered.tracking_code, w.unit_row.name,
                     "每月10日、20日为接待日"):
        assert expected in text, expected
    assert "13800138000" not in text and "张先生" not in text
    empty = text_of(documents.place_year_docx(w.place, year - 3))
    assert "全年未收到群众诉求" in empty


def test_who_may_download(w):
    planned = plan_activity(w)
    assert login(w.keeper).get(url("activity_docx", planned.pk)).status_code == 404  # not held
    held = _held(w)
    assert login(w.other_keeper).get(url("activity_docx", held.pk)).status_code == 200
    assert login(w.unit).get(url("activity_docx", held.pk)).status_code == 200
    record = url("place_docx", w.place.pk)
    assert login(w.staff).get(record).status_code == 200
    assert login(w.leader).get(record).status_code == 200
    assert login(w.other_keeper).get(record).status_code == 404
    assert login(w.member).get(record).status_code == 404
    assert Client().get(record).status_code == 302
