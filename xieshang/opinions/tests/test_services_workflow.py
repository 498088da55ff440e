"""The opinion report workflow through the services: every transition, its effects, and refusals."""

from __future__ import annotations

import datetime

import pytest

from xieshang.core import clock
from xieshang.core.errors import Conflict, Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import Event, Notification
from xieshang.opinions import selectors, services
from xieshang.opinions.models import (
    TEXT_LIMIT,
    Adoption,
    Bulletin,
    Forwarding,
    Instruction,
    OpinionReport,
    OpinionState,
)
from xieshang.opinions.tests.factories import PATH, draft, make_actors, walk_to

S = OpinionState
pytestmark = pytest.mark.django_db


@pytest.fixture
def actors():
    clock.set_to(datetime.date(2026, 3, 2))
    return make_actors()


def events(report) -> list[str]:
    return [e.action for e in Event.objects.for_object(report).order_by("id")]


def notified(user, kind) -> int:
    return Notification.objects.filter(recipient=user, kind=kind).count()


# --- Drafting and submission ----------------------------------------------------------------------------


def test_create_makes_a_draft_with_its_authors(actors):
    report = draft(actors)
    assert report.state == S.DRAFT and report.number is None and report.year == 2026
    assert [a.user for a in report.authors.order_by("order")] == [actors.author, actors.coauthor]
    assert report.body.startswith("近年来") and "建议统筹资金" in report.body
    assert events(report) == ["opinion.create"]


def test_body_alone_is_the_whole_text(actors):
    report = services.opinion_create(actor=actors.author, committee=actors.committee, title="标题", body="全文内容")
    assert (report.situation, report.analysis, report.suggestion) == ("全文内容", "", "")
    assert report.body == "全文内容"


def test_over_long_text_is_refused_with_the_limit(actors):
    with pytest.raises(Invalid) as info:
        services.opinion_create(actor=actors.author, committee=actors.committee, title="标题",
                                situation="情" * 1000, analysis="析" * 400, suggestion="议" * 101)
    message = " ".join(info.value.field_errors["__all__"])
    assert "1,501" in message and f"{TEXT_LIMIT:,}" in message
    assert not OpinionReport.objects.exists()
    # exactly at the limit is accepted
    services.opinion_create(actor=actors.author, committee=actors.committee, title="标题",
                            situation="情" * 1000, analysis="析" * 400, suggestion="议" * 100)


def test_title_and_text_are_required(actors):
    with pytest.raises(Invalid) as info:
        services.opinion_create(actor=actors.author, committee=actors.committee, title="  ", body="")
    assert "title" in info.value.field_errors
    with pytest.raises(Invalid) as info:
        services.opinion_create(actor=actors.author, committee=actors.committee, title="t" * 101, body="x")
    assert "title" in info.value.field_errors


def test_only_people_of_the_committee_may_draft(actors, make_user):
    outsider = make_user(None)
    with pytest.raises(Forbidden):
        services.opinion_create(actor=outsider, committee=actors.committee, title="t", body="x")
    with pytest.raises(Forbidden):  # staff have no Member row: not in their own name
        services.opinion_create(actor=actors.staff, committee=actors.committee, title="t", body="x")
    station_report = services.opinion_create(actor=actors.station, committee=actors.committee, title="群众反映",
                                             body="居民反映小区供暖不足。", submitter_kind="station")
    assert station_report.authors.get().user == actors.station
    from xieshang.core.models import RoleAssignment

    station = RoleAssignment.objects.get(user=actors.station, role="station").liaison_station
    assert station is not None and station_report.liaison_station == station


def test_submit_numbers_keeps_a_version_and_records_duty_facts(actors):
    first = walk_to("submitted", actors)
    second = walk_to("submitted", actors, title="第二篇")
    assert (first.year, first.number, second.number) == (2026, 1, 2)
    assert first.submitted_at is not None
    version = first.versions.get()
    assert (version.number, version.is_staff_edit, version.edited_by) == (1, False, actors.author)
    from xieshang.core.models import DutyFact

    facts = DutyFact.objects.filter(kind="opinion.submitted", object_id=first.pk)
    assert sorted((f.member.user_id, f.authors, f.lead) for f in facts) == sorted(
        [(actors.author.pk, 2, True), (actors.coauthor.pk, 2, False)]
    )


def test_update_only_while_with_the_author(actors):
    report = draft(actors)
    services.opinion_update(actor=actors.author, report=report, data={"title": "新标题", "body": "新的全文"})
    report.refresh_from_db()
    assert report.title == "新标题" and report.situation == "新的全文"
    services.opinion_submit(actor=actors.author, report=report)
    with pytest.raises(IllegalTransition):
        services.opinion_update(actor=actors.author, report=report, data={"title": "再改", "body": "x"})


def test_return_and_resubmit(actors):
    report = walk_to("returned", actors)
    assert report.return_reason.startswith("请补充")
    assert notified(actors.author, "opinion.return") == 1 and notified(actors.coauthor, "opinion.return") == 1
    services.opinion_update(actor=actors.coauthor, report=report, data={"title": report.title, "body": "补充后的全文"})
    services.opinion_resubmit(actor=actors.coauthor, report=report)
    report.refresh_from_db()
    assert report.state == S.SUBMITTED and report.number == 1 and report.return_reason == ""
    assert list(report.versions.values_list("number", flat=True)) == [1, 2]


def test_return_needs_a_reason(actors):
    report = walk_to("submitted", actors)
    with pytest.raises(Invalid) as info:
        services.opinion_return(actor=actors.staff, report=report, reason="  ")
    assert "reason" in info.value.field_errors


def test_withdraw(actors):
    report = walk_to("submitted", actors)
    services.opinion_withdraw(actor=actors.author, report=report)
    report.refresh_from_db()
    assert report.state == S.WITHDRAWN
    with pytest.raises(IllegalTransition):
        services.opinion_withdraw(actor=actors.author, report=report)


# --- Editing --------------------------------------------------------------------------------------------


def test_staff_edit_keeps_versions_and_the_submitter_sees_the_text(actors):
    report = walk_to("submitted", actors)
    services.opinion_edit(actor=actors.staff, report=report, data={"body": "编辑后的全文", "note": "压缩篇幅"})
    services.opinion_edit(actor=actors.staff, report=report, data={
        "title": "关于改善乡村学校寄宿条件的建议（编辑稿）", "situation": "情况", "analysis": "分析", "suggestion": "建议"})
    report.refresh_from_db()
    assert report.state == S.EDITING and report.editing_by == actors.staff
    versions = selectors.versions_of(actors.author, report)
    assert [(v.number, v.is_staff_edit) for v in versions] == [(1, False), (2, True), (3, True)]
    assert versions[1].body == "编辑后的全文" and versions[1].note == "压缩篇幅"
    assert selectors.opinion_get(actors.author, report.pk).body == "情况\n\n分析\n\n建议"
    # told once that the office edited it (not once per save)
    assert notified(actors.author, "opinion.edit") == 1
    outcomes = [o["action"] for o in selectors.outcomes_of(actors.author, report)]
    assert outcomes == ["edit"]


def test_edit_of_the_title_alone_keeps_the_text(actors):
    report = walk_to("editing", actors)
    services.opinion_edit(actor=actors.staff, report=report, data={"title": "新标题"})
    report.refresh_from_db()
    assert report.title == "新标题" and report.situation.startswith("近年来")
    assert report.versions.order_by("-number").first().title == "新标题"
    with pytest.raises(Invalid):  # text sent, but empty: refused
        services.opinion_edit(actor=actors.staff, report=report, data={"title": "x", "body": ""})


def test_edit_over_the_limit_is_refused_and_nothing_changes(actors):
    report = walk_to("editing", actors)
    before = (report.situation, report.version)
    with pytest.raises(Invalid) as info:
        services.opinion_edit(actor=actors.staff, report=report, data={"body": "字" * (TEXT_LIMIT + 1)})
    assert "1,500" in " ".join(info.value.field_errors["__all__"])
    report.refresh_from_db()
    assert (report.situation, report.version) == before


def test_another_staff_member_must_take_over_before_editing(actors):
    report = walk_to("editing", actors)  # held by actors.staff
    with pytest.raises(Conflict) as info:
        services.opinion_edit(actor=actors.staff2, report=report, data={"body": "x"})
    assert info.value.detail == "being_edited"
    assert "edit" not in [t.action for t in selectors.available_actions(actors.staff2, report)]
    services.opinion_start_editing(actor=actors.staff2, report=report)
    services.opinion_edit(actor=actors.staff2, report=report, data={"body": "接手后的稿子"})
    report.refresh_from_db()
    assert report.editing_by == actors.staff2 and report.situation == "接手后的稿子"


def test_what_another_staff_member_holds_is_refused_until_taken_over(actors):
    report = walk_to("editing", actors)  # held by actors.staff
    for action, data in (("return", {"reason": "r"}), ("decline", {"reason": "r"}), ("send_for_approval", {})):
        with pytest.raises(Conflict) as info:
            services.opinion_act(actor=actors.staff2, report=report, action=action, data=data)
        assert info.value.detail == "being_edited"
    offered = {t.action for t in selectors.available_actions(actors.staff2, report)}
    assert offered == {"start_editing"}
    services.opinion_start_editing(actor=actors.staff2, report=report)
    assert {"edit", "return", "decline", "send_for_approval", "combine"} <= {
        t.action for t in selectors.available_actions(actors.staff2, report)}
    services.opinion_send_for_approval(actor=actors.staff2, report=report)
    report.refresh_from_db()
    assert report.state == S.AWAITING_APPROVAL and report.editing_by is None


def test_stale_version_is_a_conflict(actors):
    report = walk_to("editing", actors)
    old = report.version
    services.opinion_edit(actor=actors.staff, report=report, data={"body": "第一次"})
    with pytest.raises(Conflict):
        services.opinion_edit(actor=actors.staff, report=report, data={"body": "第二次"}, expected_version=old)


def test_decline(actors):
    report = walk_to("declined", actors)
    assert report.decline_reason == "与已报送信息重复。" and report.editing_by is None
    assert notified(actors.author, "opinion.decline") == 1 and notified(actors.coauthor, "opinion.decline") == 1
    outcome = selectors.outcomes_of(actors.coauthor, report)[-1]
    assert outcome["action"] == "decline" and outcome["text"] == "与已报送信息重复。"


# --- Approval, forwarding, outcomes --------------------------------------------------------------------


def test_approve_by_a_leader_only(actors):
    report = walk_to("awaiting_approval", actors)
    with pytest.raises(Forbidden):
        services.opinion_approve(actor=actors.staff, report=report)
    services.opinion_send_back(actor=actors.leader, report=report, reason="数据需核实")
    services.opinion_send_for_approval(actor=actors.staff, report=report)
    services.opinion_approve(actor=actors.leader, report=report)
    report.refresh_from_db()
    assert report.state == S.APPROVED and report.approved_by == actors.leader and report.approved_at is not None
    assert notified(actors.author, "opinion.approve") == 1


def test_forward_makes_the_next_bulletin_issue_of_the_year(actors):
    first = walk_to("forwarded", actors)
    second = walk_to("approved", actors, title="第二篇")
    services.opinion_forward(actor=actors.staff, report=second, recipients=[actors.recipients[0]], kind="combined")
    second.refresh_from_db()
    assert (first.bulletin.year, first.bulletin.number, first.bulletin.kind) == (2026, 1, Bulletin.Kind.SPECIAL)
    assert (second.bulletin.number, second.bulletin.kind) == (2, Bulletin.Kind.COMBINED)
    assert first.bulletin.signed_by == actors.leader
    assert sorted(Forwarding.objects.filter(report=first).values_list("recipient__name", flat=True)) == sorted(
        ["州委", "州政府", "自治区政协"])
    assert notified(actors.coauthor, "opinion.forward") == 2  # one per report
    # a third report joins the second's issue
    third = walk_to("approved", actors, title="第三篇")
    services.opinion_forward(actor=actors.staff, report=third, recipients=[actors.recipients[1]], bulletin=second.bulletin)
    third.refresh_from_db()
    assert third.bulletin_id == second.bulletin_id and Bulletin.objects.count() == 2


def test_forward_refuses_unknown_recipients(actors, make_user):
    report = walk_to("approved", actors)
    other_committee = make_actors()
    with pytest.raises(Invalid) as info:
        services.opinion_forward(actor=actors.staff, report=report, recipients=[other_committee.recipients[0].pk])
    assert "recipients" in info.value.field_errors
    with pytest.raises(Invalid):
        services.opinion_act(actor=actors.staff, report=report, action="forward", data={"recipients": []})
    report.refresh_from_db()
    assert report.state == S.APPROVED and not Bulletin.objects.filter(committee=actors.committee).exists()


def test_adoption_recorded_twice_is_one_record(actors):
    report = walk_to("forwarded", actors)
    recipient = actors.recipients[2]
    services.opinion_record_adoption(actor=actors.staff, report=report, recipient=recipient, level="province")
    version = OpinionReport.objects.get(pk=report.pk).version
    services.opinion_record_adoption(actor=actors.staff, report=report, recipient=recipient, level="province")
    assert Adoption.objects.filter(report=report).count() == 1
    assert OpinionReport.objects.get(pk=report.pk).version == version  # nothing changed: no new version, no event
    assert events(report).count("opinion.record_adoption") == 1
    assert notified(actors.author, "opinion.record_adoption") == 1
    # a second level at the same recipient is a second record; a changed manner updates the first
    services.opinion_record_adoption(actor=actors.staff, report=report, recipient=recipient, level="national")
    services.opinion_record_adoption(actor=actors.staff, report=report, recipient=recipient, level="province",
                                     manner="excerpted")
    assert Adoption.objects.filter(report=report).count() == 2
    assert Adoption.objects.get(report=report, level="province").manner == "excerpted"
    from xieshang.core.models import DutyFact

    kinds = sorted(DutyFact.objects.filter(object_id=report.pk, member__user=actors.author).values_list("kind", flat=True))
    assert kinds == ["opinion.adopted.national", "opinion.adopted.province", "opinion.submitted"]


def test_adoption_needs_a_recipient_the_report_went_to(actors):
    report = walk_to("forwarded", actors)
    with pytest.raises(Invalid) as info:
        services.opinion_record_adoption(actor=actors.staff, report=report, recipient=actors.recipients[3], level="national")
    assert "recipient" in info.value.field_errors
    with pytest.raises(Invalid) as info:
        services.opinion_record_adoption(actor=actors.staff, report=report, recipient=actors.recipients[0], level="county")
    assert "level" in info.value.field_errors


def test_instruction_after_forwarding_and_after_closing(actors):
    report = walk_to("closed", actors)
    services.opinion_record_instruction(actor=actors.staff, report=report, level="prefecture", leader="王某某",
                                        leader_title="州委书记", date=datetime.date(2026, 3, 5), text="请州教育局研究落实。")
    services.opinion_record_instruction(actor=actors.leader, report=report, level="province", leader="李某某",
                                        date=datetime.date(2026, 3, 9), text="阅。")
    assert Instruction.objects.filter(report=report).count() == 2
    outcomes = selectors.outcomes_of(actors.coauthor, report)
    assert [o["action"] for o in outcomes][-2:] == ["record_instruction", "record_instruction"]
    assert "王某某" in outcomes[-2]["text"] and "请州教育局研究落实" in outcomes[-2]["text"]
    with pytest.raises(IllegalTransition):
        services.opinion_record_instruction(actor=actors.staff, report=walk_to("approved", actors), level="prefecture",
                                            leader="王", date=datetime.date(2026, 3, 5), text="x")


def test_close(actors):
    report = walk_to("closed", actors)
    assert report.closed_at is not None
    with pytest.raises(IllegalTransition):
        services.opinion_close(actor=actors.staff, report=report)


# --- Combining ------------------------------------------------------------------------------------------


def test_combine_makes_one_report_whose_authors_are_all_the_submitters(actors):
    a = walk_to("submitted", actors)
    b = walk_to("editing", actors, author=actors.other, coauthors=[], title="另一篇")
    c = walk_to("submitted", actors, author=actors.station, coauthors=[], title="第三篇", submitter_kind="station")
    combined = services.opinion_combine(actor=actors.staff, reports=[c, a, b], title="关于乡村学校寄宿问题的综合反映",
                                        body="综合稿全文")
    assert combined.state == S.EDITING and combined.is_combined and combined.number == 4
    assert combined.editing_by == actors.staff
    for report in (a, b, c):
        report.refresh_from_db()
        assert report.state == S.COMBINED and report.combined_into == combined
    users = [x.user for x in combined.authors.order_by("order")]
    assert users == [actors.author, actors.coauthor, actors.other, actors.station]
    for user in users:
        assert notified(user, "opinion.combine") == 1
        assert selectors.can_see(user, combined)
    # every author hears of every later outcome of the combined report
    services.opinion_send_for_approval(actor=actors.staff, report=combined)
    services.opinion_approve(actor=actors.leader, report=combined)
    services.opinion_forward(actor=actors.staff, report=combined, recipients=[actors.recipients[0]])
    services.opinion_record_adoption(actor=actors.staff, report=combined, recipient=actors.recipients[0],
                                     level="prefecture", kind="combined")
    services.opinion_record_instruction(actor=actors.staff, report=combined, level="prefecture", leader="王某某",
                                        date=datetime.date(2026, 3, 10), text="请相关部门办理。")
    combined.refresh_from_db()
    assert combined.bulletin.kind == Bulletin.Kind.COMBINED
    for user in users:
        for kind in ("approve", "forward", "record_adoption", "record_instruction"):
            assert notified(user, f"opinion.{kind}") == 1, (user, kind)
    # the source report shows the combined report's outcomes to its submitter
    actions = [o["action"] for o in selectors.outcomes_of(actors.other, b)]
    assert actions == ["combine", "approve", "forward", "record_adoption", "record_instruction"]
    from xieshang.core.models import DutyFact

    fact = DutyFact.objects.get(kind="opinion.adopted.prefecture", member__user=actors.other)
    assert (fact.object_id, fact.authors, fact.lead) == (combined.pk, 3, False)


def test_combine_is_refused_while_another_staff_member_edits_one(actors):
    a = walk_to("submitted", actors)
    b = walk_to("editing", actors, title="另一篇")  # held by actors.staff
    with pytest.raises(Conflict) as info:
        services.opinion_combine(actor=actors.staff2, reports=[a, b], title="综合", body="综合稿")
    assert info.value.detail == "being_edited" and "另一篇" in str(info.value.message)
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.state, b.state) == (S.SUBMITTED, S.EDITING)
    assert OpinionReport.objects.filter(is_combined=True).count() == 0


def test_combine_is_refused_when_one_changed_since_it_was_read(actors):
    a = walk_to("submitted", actors)
    b = walk_to("submitted", actors, title="另一篇")
    seen = {a.pk: a.version, b.pk: b.version}
    services.opinion_edit(actor=actors.staff, report=b, data={"body": "刚改过"})
    with pytest.raises(Conflict):
        services.opinion_combine(actor=actors.staff, reports=[a, b], title="综合", body="综合稿", versions=seen)
    assert not OpinionReport.objects.filter(is_combined=True).exists()


def test_combine_is_refused_for_a_report_not_in_the_office(actors):
    a = walk_to("submitted", actors)
    b = walk_to("approved", actors, title="已签发")
    with pytest.raises(IllegalTransition) as info:
        services.opinion_combine(actor=actors.staff, reports=[a, b], title="综合", body="综合稿")
    assert "已签发" in str(info.value.message)
    with pytest.raises(Invalid):
        services.opinion_combine(actor=actors.staff, reports=[a], title="综合", body="综合稿")
    secret = draft(actors, author=actors.other, coauthors=[], title="别人的草稿")
    with pytest.raises(Invalid) as info:  # someone's draft is not there for the office: its title is not shown
        services.opinion_combine(actor=actors.staff, reports=[a, secret], title="综合", body="综合稿")
    assert "别人的草稿" not in str(info.value.message) + str(info.value.field_errors)


def test_a_combined_report_cannot_be_returned(actors):
    a = walk_to("submitted", actors)
    b = walk_to("submitted", actors, title="另一篇")
    combined = services.opinion_combine(actor=actors.staff, reports=[a, b], title="综合", body="综合稿")
    assert "return" not in [t.action for t in selectors.available_actions(actors.staff, combined)]
    with pytest.raises(IllegalTransition):
        services.opinion_return(actor=actors.staff, report=combined, reason="x")


# --- Illegal moves --------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(PATH))
def test_every_action_not_offered_is_refused(actors, state):
    """In every reachable state and for every actor: an action not offered by available() is refused by act()."""
    report = walk_to(state, actors)
    data = {
        "update": {"title": "t", "body": "x"}, "edit": {"body": "x"}, "return": {"reason": "r"},
        "decline": {"reason": "r"}, "send_back": {"reason": "r"}, "forward": {"recipients": [actors.recipients[0].pk]},
        "record_adoption": {"recipient": actors.recipients[0].pk, "level": "prefecture"},
        "record_instruction": {"level": "prefecture", "leader": "王", "date": "2026-03-05", "text": "阅"},
        "combine": {"reports": [], "title": "t", "body": "x"},
    }
    from xieshang.opinions.workflow import ACTIONS

    for who in ("author", "coauthor", "other", "staff", "staff2", "leader", "unit", "station"):
        user = getattr(actors, who)
        offered = set()
        if selectors.can_see(user, report):
            offered = {t.action for t in selectors.available_actions(user, report)}
        for action in ACTIONS:
            if action in offered:
                continue
            with pytest.raises((NotFound, Forbidden, IllegalTransition, Conflict)):
                services.opinion_act(actor=user, report=report.pk, action=action, data=data.get(action, {}))
        report.refresh_from_db()
        assert report.state == state


def test_a_combined_report_combined_again_still_answers_the_first_submitters(actors):
    a = walk_to("submitted", actors)
    b = walk_to("submitted", actors, author=actors.other, coauthors=[], title="乙")
    first = services.opinion_combine(actor=actors.staff, reports=[a, b], title="第一次综合", body="综合稿")
    c = walk_to("submitted", actors, author=actors.station, coauthors=[], title="丙", submitter_kind="station")
    second = services.opinion_combine(actor=actors.staff, reports=[first, c], title="第二次综合", body="再综合")
    assert {x.user for x in second.authors.all()} == {actors.author, actors.coauthor, actors.other, actors.station}
    services.opinion_send_for_approval(actor=actors.staff, report=second)
    services.opinion_approve(actor=actors.leader, report=second)
    assert notified(actors.other, "opinion.approve") == 1
    b.refresh_from_db()
    actions = [o["action"] for o in selectors.outcomes_of(actors.other, b)]
    assert actions == ["combine", "combine", "approve"]
