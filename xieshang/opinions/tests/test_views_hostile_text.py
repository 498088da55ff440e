"""Hostile text (`<script>`, attribute-closing quotes, `{{ 7*7 }}`, `{% now %}`) through every opinion report
page and Excel export, with the checks of xieshang/core/tests/test_hostile_text.py (its `check_pages`, one
`Page` line per URL): shown as text, exactly, never as markup or template, never a 500."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from xieshang.core.tests.test_hostile_text import (
    ATTRIBUTE,
    NAME,
    SIGNED_BY,
    TEMPLATE,
    UNIT_NAME,
    Page,
    build_people,
    check_pages,
    hostile,
)

pytestmark = pytest.mark.django_db


def build_opinions(world) -> None:
    from xieshang.core import clock
    from xieshang.opinions import services
    from xieshang.opinions.models import Recipient

    def act(report, actor, action, **data):
        return services.opinion_act(actor=actor, report=report, action=action, data=data)

    def report(title, author=None):
        return services.opinion_create(
            actor=author or world.member, committee=world.committee, title=title, situation=world.o_situation,
            analysis=world.o_analysis, suggestion=world.o_suggestion,
        )

    world.recipient = Recipient.objects.create(committee=world.committee, name=UNIT_NAME, level="prefecture")
    world.o_situation = hostile("情况：")
    world.o_analysis = hostile("分析：")
    world.o_suggestion = hostile("建议：")
    # Forwarded, adopted, with an instruction.
    world.o_title = hostile("信息")
    r = act(report(world.o_title), world.member, "submit")
    world.o_note = hostile("编辑：")[:200]
    r = act(r, world.staff, "edit", title=r.title, situation=r.situation + "。", analysis=r.analysis,
            suggestion=r.suggestion, note=world.o_note)
    r = act(r, world.staff, "send_for_approval")
    r = act(r, world.leader, "approve")
    r = act(r, world.staff, "forward", recipients=[world.recipient.pk])
    r = act(r, world.staff, "record_adoption", recipient=world.recipient.pk, level="prefecture", kind="single")
    world.o_instruction = hostile("批示：")
    r = act(r, world.staff, "record_instruction", level="prefecture", leader=SIGNED_BY, date="2026-03-02",
            text=world.o_instruction)
    world.opinion = r
    world.bulletin = r.bulletin
    # Returned and declined, with their reasons.
    world.o_return = hostile("退回：")
    world.returned = act(act(report(hostile("退回信息")), world.member, "submit"), world.staff, "return",
                         reason=world.o_return)
    world.o_decline = hostile("不用：")
    world.declined = act(act(report(hostile("不用信息")), world.member, "submit"), world.staff, "decline",
                         reason=world.o_decline)
    # Two combined into one awaiting approval; one being edited; a draft.
    a = act(report(hostile("综合甲")), world.member, "submit")
    b = act(report(hostile("综合乙"), author=world.cosigner), world.cosigner, "submit")
    world.combined_title = hostile("综合")
    combined = services.opinion_combine(actor=world.staff, reports=[a, b], title=world.combined_title,
                                        situation=world.o_situation, analysis=world.o_analysis,
                                        suggestion=world.o_suggestion)
    world.combined = act(combined, world.staff, "send_for_approval")
    world.editing_title = hostile("编辑中")
    world.editing = act(act(report(world.editing_title), world.member, "submit"), world.staff, "edit",
                        title=world.editing_title, situation="改写。", analysis="", suggestion="")
    world.o_draft_title = hostile("草稿信息")
    world.o_draft = report(world.o_draft_title)
    # A call for reports and its answer.
    world.topic = hostile("约稿")
    world.commission = services.commission_create(actor=world.staff, committee=world.committee, topic=world.topic,
                                                  description=hostile("说明："),
                                                  due_on=clock.today() + datetime.timedelta(days=10))
    world.answer_title = hostile("应约")
    answer = services.opinion_create(actor=world.member, committee=world.committee, title=world.answer_title,
                                     situation="正文", commission=world.commission)
    act(answer, world.member, "submit")


_O = "opinions:"
HOSTILE_QUERY = "?q=%7B%7B+7*7+%7D%7D%22%27%3E%3Cscript%3E&sort=%3Cscript%3E&state=%7B%25+now+%25%7D&year=x"
PAGES: list[Page] = [
    # Member
    Page("opinions: my reports", "member", lambda w: reverse(_O + "mine"),
         shows=lambda w: [w.o_title, w.o_return, w.o_decline, w.o_instruction, UNIT_NAME, SIGNED_BY, w.combined_title]),
    Page("opinions: my reports, hostile query", "member", lambda w: reverse(_O + "mine") + HOSTILE_QUERY),
    Page("opinions: my reports export", "member", lambda w: reverse(_O + "mine") + "?format=xlsx", "xlsx",
         shows=lambda w: [w.o_title, w.o_return, w.o_instruction], contains=True),
    Page("opinions: new draft", "member", lambda w: reverse(_O + "create") + f"?commission={w.commission.pk}",
         shows=lambda w: [w.topic]),
    Page("opinions: draft edit", "member", lambda w: reverse(_O + "edit", args=[w.o_draft.pk]),
         shows=lambda w: [w.o_draft_title, w.o_situation]),
    Page("opinions: detail (member)", "member", lambda w: reverse(_O + "detail", args=[w.opinion.pk]),
         shows=lambda w: [w.o_title, w.o_situation, w.o_suggestion, w.o_instruction, UNIT_NAME, SIGNED_BY, NAME]),
    Page("opinions: returned detail", "member", lambda w: reverse(_O + "detail", args=[w.returned.pk]),
         shows=lambda w: [w.o_return]),
    Page("opinions: combined-away detail", "cosigner", lambda w: reverse(_O + "mine"),
         shows=lambda w: [w.combined_title]),
    Page("opinions: calls (member)", "member", lambda w: reverse(_O + "commissions"), shows=lambda w: [w.topic]),
    # Staff
    *[Page(f"opinions: inbox {tab}", "staff", lambda w, tab=tab: reverse(_O + "list") + f"?tab={tab}",
           shows=lambda w, titles=titles: [getattr(w, t) for t in titles])
      for tab, titles in (("submitted", ()), ("editing", ("editing_title",)), ("returned", ()),
                          ("awaiting_approval", ("combined_title",)), ("forwarded", ("o_title", "o_instruction")),
                          ("declined", ()), ("all", ("o_title", "combined_title")))],
    Page("opinions: inbox, hostile query", "staff", lambda w: reverse(_O + "list") + HOSTILE_QUERY + "&tab=all"),
    Page("opinions: inbox export", "staff", lambda w: reverse(_O + "list") + "?tab=all&format=xlsx", "xlsx",
         shows=lambda w: [w.o_title, w.combined_title, NAME]),
    Page("opinions: detail (staff)", "staff", lambda w: reverse(_O + "detail", args=[w.opinion.pk]),
         shows=lambda w: [w.o_title, w.o_instruction, w.o_note, UNIT_NAME]),
    Page("opinions: editing desk", "staff", lambda w: reverse(_O + "desk", args=[w.editing.pk]),
         shows=lambda w: [w.editing_title, w.o_situation]),
    Page("opinions: bulletins", "staff", lambda w: reverse(_O + "bulletins"), shows=lambda w: [w.o_title, UNIT_NAME]),
    Page("opinions: bulletins export", "staff", lambda w: reverse(_O + "bulletins") + "?format=xlsx", "xlsx",
         shows=lambda w: [w.o_title, UNIT_NAME], contains=True),
    Page("opinions: bulletin", "staff", lambda w: reverse(_O + "bulletin", args=[w.bulletin.pk]),
         shows=lambda w: [w.o_title, UNIT_NAME]),
    Page("opinions: bulletin composer", "staff", lambda w: reverse(_O + "bulletin_new")),
    Page("opinions: bulletin (Word)", "staff", lambda w: reverse(_O + "bulletin_docx", args=[w.bulletin.pk]), "docx",
         shows=lambda w: [w.o_title, UNIT_NAME]),
    Page("opinions: adopted reports (Excel)", "staff", lambda w: reverse(_O + "adopted_xlsx") + f"?year={w.opinion.year}", "xlsx",
         shows=lambda w: [w.o_title], contains=True),
    Page("opinions: recipients", "staff", lambda w: reverse(_O + "recipients"), shows=lambda w: [UNIT_NAME]),
    Page("opinions: recipient", "staff", lambda w: reverse(_O + "recipient", args=[w.recipient.pk]), shows=lambda w: [UNIT_NAME]),
    Page("opinions: calls (staff)", "staff", lambda w: reverse(_O + "commissions"), shows=lambda w: [w.topic]),
    Page("opinions: calls export", "staff", lambda w: reverse(_O + "commissions") + "?format=xlsx", "xlsx",
         shows=lambda w: [w.topic]),
    Page("opinions: call and its answers", "staff", lambda w: reverse(_O + "commission", args=[w.commission.pk]),
         shows=lambda w: [w.topic, w.answer_title, NAME]),
    Page("opinions: answers export", "staff",
         lambda w: reverse(_O + "commission", args=[w.commission.pk]) + "?format=xlsx", "xlsx",
         shows=lambda w: [w.answer_title]),
    # Leader
    Page("opinions: approvals", "leader", lambda w: reverse(_O + "approvals"), shows=lambda w: [w.combined_title]),
    Page("opinions: approvals export", "leader", lambda w: reverse(_O + "approvals") + "?format=xlsx", "xlsx",
         shows=lambda w: [w.combined_title]),
    Page("opinions: instructions", "leader", lambda w: reverse(_O + "instructions"),
         shows=lambda w: [w.o_instruction, SIGNED_BY, w.o_title]),
    Page("opinions: instructions export", "leader", lambda w: reverse(_O + "instructions") + "?format=xlsx", "xlsx",
         shows=lambda w: [w.o_instruction, w.o_title]),
    Page("opinions: detail (leader)", "leader", lambda w: reverse(_O + "detail", args=[w.combined.pk]),
         shows=lambda w: [w.combined_title, w.o_situation]),
]


def test_hostile_text_is_shown_as_text_on_every_opinion_page_and_export(committee):
    world = SimpleNamespace(committee=committee)
    for builder in (build_people, build_opinions):
        builder(world)
    failures = check_pages(world, PAGES)
    assert not failures, "\n".join(failures)


def test_the_pages_check_would_catch_a_missing_text(committee):
    world = SimpleNamespace(committee=committee)
    for builder in (build_people, build_opinions):
        builder(world)
    page = Page("mine", "member", lambda w: reverse(_O + "mine"), shows=lambda w: [hostile("不存在的标题"), ATTRIBUTE + TEMPLATE])
    assert check_pages(world, [page])
