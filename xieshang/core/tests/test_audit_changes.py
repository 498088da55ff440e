"""Audit completeness: every edit records what changed (old and new values, a diff for long texts), through
one helper (core.audit.changes), and the timeline shows it."""

import datetime

import pytest
from django.template import Context, Template

from xieshang.core import audit
from xieshang.core.models import Event


def test_changes_lists_old_and_new_values_of_the_fields_that_changed():
    before = {"name": "经济界", "order": 1, "active": True, "day": datetime.date(2026, 1, 5)}
    after = {"name": "经济界别", "order": 1, "active": False, "day": datetime.date(2026, 2, 1)}
    assert audit.changes(before, after) == {
        "name": ["经济界", "经济界别"], "active": [True, False], "day": ["2026-01-05", "2026-02-01"]}


def test_a_long_text_is_recorded_as_a_diff_of_its_lines():
    old = "\n".join(f"第{i}段：原来的文字。" * 3 for i in range(12))
    new = old.replace("第5段：原来的文字。", "第5段：改过的文字<script>。", 1)
    (change,) = audit.changes({"body": old}, {"body": new}).values()
    assert set(change) == {"diff", "old_length", "new_length"}
    assert "-第5段：原来的文字。" in change["diff"] and "+第5段：改过的文字<script>。" in change["diff"]
    assert "第1段" not in change["diff"]  # only the changed line and one line around it
    assert len(change["diff"]) < len(old)


def test_objects_and_a_field_list():
    class Row:
        title, body, extra = "旧标题", "正文", "x"

    assert audit.changes(Row(), {"title": "新标题", "body": "正文", "extra": "y"}, ["title", "body"]) == {
        "title": ["旧标题", "新标题"]}


@pytest.mark.django_db
def test_the_timeline_shows_the_changes_as_text(committee):
    event = audit.record(actor=None, action="sector.updated", obj=committee, payload={"changes": {
        "name": ["<b>旧</b>", "新"], "body": {"diff": "-旧的一行\n+<i>新的一行</i>"}}})
    html = Template("{% load xieshang %}{% timeline events %}").render(Context({"events": [event]}))
    assert "&lt;b&gt;旧&lt;/b&gt;" in html and "<del>" in html and "<ins>新</ins>" in html
    assert '<pre class="diff">-旧的一行\n+&lt;i&gt;新的一行&lt;/i&gt;</pre>' in html
    assert Event.objects.count() == 1


# --- every app's edit services record their changes through the helper ---------------------------

@pytest.mark.django_db
def test_a_proposal_edit_records_old_and_new_values():
    from xieshang.proposals import services
    from xieshang.proposals.tests.factories import walk_to

    proposal, actors = walk_to("draft", cosign=False, title="关于旧标题的提案")
    long_body = "\n".join(f"第{i}条建议。" * 10 for i in range(8))
    services.proposal_act(actor=actors.proposer, proposal=proposal, action="update",
                          data={"title": "关于新标题的提案", "body": long_body})
    event = Event.objects.filter(action="proposal.update").latest("id")
    assert event.payload["changes"]["title"] == ["关于旧标题的提案", "关于新标题的提案"]
    assert "+第7条建议。" in event.payload["changes"]["body"]["diff"]
    # the timeline names the fields as the forms do
    from django.utils import translation

    from xieshang.proposals.models import Proposal

    with translation.override("en"):
        html = Template("{% load xieshang %}{% timeline events %}").render(Context({"events": [event]}))
        label = str(Proposal._meta.get_field("title").verbose_name)
    assert f"<dt>{label}</dt>" in html and "<dt>title</dt>" not in html


@pytest.mark.django_db
def test_an_opinion_edit_and_a_commission_update_record_old_and_new_values():
    from xieshang.opinions import services
    from xieshang.opinions.tests.factories import make_actors, walk_to

    actors = make_actors()
    report = walk_to("submitted", actors, title="关于旧题目的信息")
    services.opinion_act(actor=actors.staff, report=report, action="start_editing")
    report.refresh_from_db()
    services.opinion_act(actor=actors.staff, report=report, action="edit", data={
        "title": "关于新题目的信息", "situation": report.situation, "analysis": report.analysis,
        "suggestion": report.suggestion})
    event = Event.objects.filter(action="opinion.edit").latest("id")
    assert event.payload["changes"] == {"title": ["关于旧题目的信息", "关于新题目的信息"]}

    call = services.commission_create(actor=actors.staff, committee=actors.committee, topic="旧约稿题目",
                                      due_on=datetime.date(2026, 12, 31))
    services.commission_update(actor=actors.staff, commission=call, topic="新约稿题目",
                               due_on=datetime.date(2026, 12, 31))
    event = Event.objects.get(action="commission.update")
    assert event.payload["changes"] == {"topic": ["旧约稿题目", "新约稿题目"]}
