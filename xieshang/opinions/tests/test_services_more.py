"""Commissions (约稿), recipients, attachments, deadlines, duty facts, search, to-dos and the app's declarations."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from xieshang.core import clock, registry
from xieshang.core.errors import Forbidden, IllegalTransition, Invalid, NotFound
from xieshang.core.models import DutyFact
from xieshang.opinions import selectors, services
from xieshang.opinions.models import Commission, OpinionState, Recipient
from xieshang.opinions.tests.factories import draft, make_actors, walk_to

S = OpinionState
pytestmark = pytest.mark.django_db


@pytest.fixture
def actors():
    clock.set_to(datetime.date(2026, 3, 2))
    return make_actors()


# --- Commissions ----------------------------------------------------------------------------------------


def test_commission_is_published_answered_listed_and_closed(actors):
    call = services.commission_create(actor=actors.staff, committee=actors.committee, topic="优化营商环境",
                                      due_on=datetime.date(2026, 4, 30), description="请围绕营商环境反映情况。")
    assert call.state == Commission.State.OPEN
    assert call in selectors.commissions_visible_to(actors.author, actors.committee)
    answer = draft(actors, title="关于简化审批的建议", commission=call)
    services.opinion_submit(actor=actors.author, report=answer)
    late = draft(actors, title="还没提交的回应", commission=call)
    # the office sees the submitted answers; the author sees their own (draft too)
    assert list(selectors.commission_answers(actors.staff, call)) == [answer]
    assert set(selectors.commission_answers(actors.author, call)) == {answer, late}
    assert list(selectors.commission_answers(actors.other, call)) == []
    assert selectors.commissions_visible_to(actors.staff, actors.committee).get().answer_count == 1
    services.commission_close(actor=actors.staff, commission=call)
    call.refresh_from_db()
    assert call.state == Commission.State.CLOSED and call.closed_at is not None
    with pytest.raises(IllegalTransition):
        services.commission_close(actor=actors.staff, commission=call)
    # a closed call takes no new answers, and members who did not answer no longer see it
    with pytest.raises(Invalid) as info:
        draft(actors, commission=call)
    assert "commission" in info.value.field_errors
    assert call not in selectors.commissions_visible_to(actors.other, actors.committee)
    assert call in selectors.commissions_visible_to(actors.author, actors.committee)
    with pytest.raises(NotFound):
        selectors.commission_get(actors.other, call.pk, actors.committee)


def test_commission_only_by_the_office_and_with_valid_fields(actors):
    for user in (actors.author, actors.leader, actors.unit):
        with pytest.raises(Forbidden):
            services.commission_create(actor=user, committee=actors.committee, topic="t", due_on=datetime.date(2026, 4, 1))
    with pytest.raises(Invalid) as info:
        services.commission_create(actor=actors.staff, committee=actors.committee, topic="", due_on="2026-13-01")
    assert set(info.value.field_errors) == {"topic", "due_on"}
    call = services.commission_create(actor=actors.staff, committee=actors.committee, topic="t", due_on="2026-04-01")
    call = services.commission_update(actor=actors.staff, commission=call, topic="新主题", due_on="2026-05-01")
    assert (call.topic, call.due_on) == ("新主题", datetime.date(2026, 5, 1))
    other_committee = make_actors()
    with pytest.raises(Invalid):  # a call of another committee cannot be answered
        draft(other_committee, commission=call)


def test_commission_deadline(actors):
    from xieshang.core.deadlines import deadlines_of

    call = services.commission_create(actor=actors.staff, committee=actors.committee, topic="t",
                                      due_on=datetime.date(2026, 4, 1))
    row = deadlines_of(call).get()
    assert (row.kind, row.due_on, row.state) == ("commission.due", datetime.date(2026, 4, 1), "open")
    services.commission_update(actor=actors.staff, commission=call, topic="t", due_on="2026-04-15")
    assert deadlines_of(call).get().due_on == datetime.date(2026, 4, 15)
    services.commission_close(actor=actors.staff, commission=call)
    assert deadlines_of(call).get().state == "met"


# --- Deadlines and duty facts -------------------------------------------------------------------------


def test_the_office_deadline_opens_at_submission_and_is_met_at_approval(actors):
    from xieshang.core.deadlines import deadlines_of

    report = walk_to("submitted", actors)
    row = deadlines_of(report).get()
    assert row.kind == "opinion.edit" and row.state == "open"
    assert row.due_on == datetime.date(2026, 3, 16)  # 10 working days from Monday 2 March
    services.opinion_start_editing(actor=actors.staff, report=report)
    assert deadlines_of(report).get().state == "open"
    services.opinion_approve(actor=actors.leader, report=report)
    assert deadlines_of(report).get().state == "met"
    withdrawn = walk_to("submitted", actors, title="撤回的")
    services.opinion_withdraw(actor=actors.author, report=withdrawn)
    assert deadlines_of(withdrawn).get().state == "waived"


def test_duty_facts_of_instructions_per_level(actors):
    report = walk_to("forwarded", actors)
    services.opinion_record_instruction(actor=actors.staff, report=report, level="national", leader="某领导",
                                        date=datetime.date(2026, 3, 20), text="阅")
    facts = DutyFact.objects.filter(kind="opinion.instruction.national", object_id=report.pk).order_by("lead")
    assert [(f.member.user, f.authors, f.lead, f.occurred_on) for f in facts] == [
        (actors.coauthor, 2, False, datetime.date(2026, 3, 20)), (actors.author, 2, True, datetime.date(2026, 3, 20))]


def test_declared_kinds(actors):
    assert {"opinion.submitted", "opinion.adopted.prefecture", "opinion.adopted.province", "opinion.adopted.national",
            "opinion.instruction.prefecture", "opinion.instruction.province",
            "opinion.instruction.national"} <= set(registry.duty_kinds())
    assert {"opinion.edit", "commission.due"} <= set(registry.deadline_kinds())
    assert "opinion" in registry.search_kinds()
    assert "opinion.edit" in registry.timers()
    assert {"opinions:mine", "opinions:list", "opinions:approvals", "opinions:commissions"} <= {
        item.url_name for item in registry.nav_items()}
    assert "xieshang.opinions.selectors.todos_for" in registry.todo_providers()
    from xieshang.core import audit

    from django.utils import translation

    with translation.override("en"):
        assert audit.event_label("opinion.approve") == "approve"
        assert audit.event_label("opinion.create_combined") == "combined report made"
        assert audit.event_label("commission.close") == "call closed"


# --- Search, to-dos -------------------------------------------------------------------------------------


def test_search_finds_title_text_number_and_names(actors):
    report = walk_to("submitted", actors, title="关于牧区饮水安全的建议", situation="部分牧区冬季饮水困难。")
    walk_to("submitted", actors, title="别的")
    name = actors.coauthor.memberships.get().name

    def found(text):
        return list(selectors.opinion_list(actors.staff, actors.committee, q=text))

    assert found("牧区饮水") == [report]
    assert found("冬季饮水") == [report]
    assert found(f"{report.year}-{report.number}") == [report]
    assert report in found(name)
    services.opinion_edit(actor=actors.staff, report=report, data={"body": "改写后提到草原防火。"})
    assert found("草原防火") == [report] and found("冬季饮水") == []


def test_todos(actors):
    walk_to("submitted", actors)
    walk_to("awaiting_approval", actors)
    walk_to("returned", actors)
    staff = {t["label"]: t["count"] for t in selectors.todos_for(actors.staff, actors.committee)}
    assert list(staff.values()) == [1]  # one report to edit (the returned one is with its author)
    leader = selectors.todos_for(actors.leader, actors.committee)
    assert [t["count"] for t in leader] == [1]
    author = selectors.todos_for(actors.author, actors.committee)
    assert [(t["count"], t["urgent"]) for t in author] == [(1, True)]
    assert selectors.todos_for(actors.other, actors.committee) == []


# --- Recipients and attachments -------------------------------------------------------------------------


def test_recipients_are_configured_by_the_office(actors):
    row = services.recipient_save(actor=actors.staff, committee=actors.committee, name="州人大", level="prefecture",
                                  sort_order=5)
    assert row in selectors.recipients_of(actors.committee)
    with pytest.raises(Invalid) as info:
        services.recipient_save(actor=actors.staff, committee=actors.committee, name="州委", level="prefecture")
    assert "name" in info.value.field_errors
    with pytest.raises(Forbidden):
        services.recipient_save(actor=actors.author, committee=actors.committee, name="x", level="prefecture")
    services.recipient_save(actor=actors.staff, committee=actors.committee, recipient=row, name="州人大常委会",
                            level="prefecture", is_active=False)
    assert row not in selectors.recipients_of(actors.committee)
    assert Recipient.objects.get(pk=row.pk).name == "州人大常委会"
    report = walk_to("approved", actors)
    with pytest.raises(Invalid):  # an inactive recipient cannot be chosen
        services.opinion_forward(actor=actors.staff, report=report, recipients=[row])


def test_attachments(actors):
    from xieshang.core.attachments import attachments_of

    report = draft(actors)
    pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    services.opinion_attachment_add(actor=actors.author, report=report, file=pdf)
    assert attachments_of(report).get().original_name == "材料.pdf"
    with pytest.raises(NotFound):
        services.opinion_attachment_add(actor=actors.staff, report=report, file=pdf)  # a draft: hidden
    with pytest.raises(Invalid):
        services.opinion_attachment_add(actor=actors.author, report=report,
                                        file=SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream"))
    services.opinion_submit(actor=actors.author, report=report)
    with pytest.raises(Forbidden):  # the office holds it now
        services.opinion_attachment_add(actor=actors.author, report=report, file=pdf)
    services.opinion_attachment_add(actor=actors.staff, report=report,
                                    file=SimpleUploadedFile("补充.docx", b"PK docx", content_type="application/octet-stream"))
    assert attachments_of(report).count() == 2


def test_background_export_of_the_list(actors):
    import io

    from openpyxl import load_workbook

    from xieshang.core import exports

    walk_to("forwarded", actors, title="关于牧区饮水安全的建议")
    walk_to("submitted", actors, title="关于停车难的建议")
    walk_to("draft", actors, title="草稿不导出")
    assert "opinions" in exports.kinds()
    handle = io.BytesIO()
    written = exports.kinds()["opinions"]
    from django.utils.module_loading import import_string

    n = import_string(written.writer)(handle, user=actors.staff, committee=actors.committee, params={"sort": "title"})
    assert n == 2
    handle.seek(0)
    rows = list(load_workbook(handle).active.values)[1:]  # under the title row
    titles = [r[1] for r in rows[1:]]
    assert sorted(titles) == sorted(["关于牧区饮水安全的建议", "关于停车难的建议"])
    handle = io.BytesIO()
    assert import_string(written.writer)(handle, user=actors.staff, committee=actors.committee,
                                         params={"state": "forwarded"}) == 1
    handle = io.BytesIO()
    assert import_string(written.writer)(handle, user=actors.other, committee=actors.committee, params={}) == 0


def test_a_renamed_author_reaches_the_search_documents():
    """A report names its authors: a member renamed in administration finds the report by the new name at once and
    no longer by the old one (SearchKind.names; core.search.reindex_naming)."""
    from xieshang.core import search
    from xieshang.core import services as core_services
    from xieshang.core.models import Member
    from xieshang.opinions.tests.factories import make_role_user

    actors = make_actors()
    report = draft(actors)
    member = Member.objects.get(user=actors.coauthor, committee=actors.committee)
    old = member.name

    def found(text):
        return set(search.matching_ids(actors.committee.pk, "opinion", text) or ())

    assert report.pk in found(old)
    core_services.member_save(actor=make_role_user(actors.committee, "admin"), committee=actors.committee, member=member,
                              name="司马新名", term=member.term, sector=member.sector, organization=member.organization)
    assert report.pk in found("司马新名") and report.pk not in found(old)

    # an author without a member record is named by their account (display_name): renaming the account reaches it
    from xieshang.opinions.models import OpinionAuthor

    OpinionAuthor.objects.create(report=report, user=actors.staff, member=None, order=9)
    search.index("opinion", [report.pk])
    assert report.pk not in found("欧阳办公")
    admin = make_role_user(actors.committee, "admin")
    core_services.user_save(actor=admin, committee=actors.committee, user=actors.staff, username=actors.staff.username,
                            full_name="欧阳办公", email=actors.staff.email, phone=actors.staff.phone)
    assert report.pk in found("欧阳办公")
