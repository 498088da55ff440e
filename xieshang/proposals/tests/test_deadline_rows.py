"""Proposals on core deadlines: the services keep one Deadline row per (proposal, kind, assignment) equal to
the assignments' columns (proposals.deadlines.sync_proposals); the reminder job repairs writes that bypassed
them; the data migration proposals/0006 makes the same rows."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection

from xieshang.core import deadlines as core_deadlines
from xieshang.core.models import Deadline
from xieshang.proposals import deadlines, services
from xieshang.proposals.models import Assignment, ExtensionRequest, Proposal
from xieshang.proposals.tests.factories import make_actors, set_today, walk_to

pytestmark = pytest.mark.django_db
D = datetime.date


def rows(p) -> dict:
    """{(kind, assignment id or None): (state, due_on, original_due_on)} of a proposal."""
    return {(d.kind, deadlines.assignment_id(d.party)): (d.state, d.due_on, d.original_due_on)
            for d in core_deadlines.deadlines_of(p)}


def test_proposal_kinds_are_declared_by_the_app():
    declared = core_deadlines.kinds()
    assert set(deadlines.KINDS) <= set(declared)
    assert declared["proposal.reply"].remind_timer == "proposal.remind_before"


def test_assigning_opens_the_units_deadlines_and_acknowledging_meets_the_objection(committee, monkeypatch):
    set_today(monkeypatch, D(2025, 9, 1))
    actors = make_actors(committee, units=2)
    p, _ = walk_to("assigned", actors=actors)
    lead, co = p.assignments.get(role="lead"), p.assignments.get(role="co")
    assert rows(p) == {
        ("proposal.objection", lead.pk): ("open", lead.objection_due, lead.objection_due),
        ("proposal.reply", lead.pk): ("open", lead.due_date, lead.due_date),
        ("proposal.first_contact", lead.pk): ("open", lead.first_contact_due, lead.first_contact_due),
        ("proposal.objection", co.pk): ("open", co.objection_due, co.objection_due),
        ("proposal.reply", co.pk): ("open", co.due_date, co.due_date),
        ("proposal.co_views", co.pk): ("open", co.views_due, co.views_due),
    }
    services.proposal_act(actor=actors.unit_users[0], proposal=p, action="acknowledge")
    assert rows(p)[("proposal.objection", lead.pk)][0] == "met"
    assert Deadline.objects.get(kind="proposal.objection", party=f"assignment:{lead.pk}").met_on == D(2025, 9, 1)


def test_an_approved_extension_extends_the_reply_deadline(committee):
    p, actors = walk_to("handling", committee=committee)
    a = p.assignments.get()
    until = a.due_date + datetime.timedelta(days=20)
    services.proposal_act(actor=actors.unit_users[0], proposal=p, action="request_extension",
                          data={"until": until, "reason": "需要调研"})
    assert rows(p)[("proposal.reply", a.pk)] == ("open", a.due_date, a.due_date)  # asked, not granted yet
    services.proposal_act(actor=actors.staff, proposal=p, action="approve_extension",
                          data={"request": ExtensionRequest.objects.get().pk})
    a.refresh_from_db()
    assert a.due_date == until
    assert rows(p)[("proposal.reply", a.pk)] == ("extended", until, a.original_due_date)


def test_consulting_meets_the_first_contact_and_replying_the_reply_then_the_evaluation_runs(committee):
    p, actors = walk_to("handling", committee=committee)
    a = p.assignments.get()
    services.proposal_act(actor=actors.unit_users[0], proposal=p, action="consult",
                          data={"date": D.today().isoformat(), "form": "phone", "summary": "电话沟通"})
    assert rows(p)[("proposal.first_contact", a.pk)][0] == "met"
    services.proposal_act(actor=actors.unit_users[0], proposal=p, action="reply", data={"outcome": "adopted", "text": "答复"})
    p.refresh_from_db()
    assert rows(p)[("proposal.reply", a.pk)][0] == "met"
    assert rows(p)[("proposal.evaluation", None)] == ("open", p.evaluation_due, p.evaluation_due)
    services.proposal_act(actor=actors.proposer, proposal=p, action="evaluate", data={"verdict": "satisfied"})
    assert rows(p)[("proposal.evaluation", None)][0] == "met"
    assert not [key for key, (state, *_dates) in rows(p).items() if state in ("open", "extended")]


def test_reassignment_waives_the_objecting_units_deadlines(committee):
    from xieshang.core.tests.factories import HandlingUnitFactory

    p, actors = walk_to("assigned", committee=committee)
    old = p.assignments.get()
    services.proposal_act(actor=actors.unit_users[0], proposal=p, action="object", data={"reason": "职责不符"})
    assert rows(p)[("proposal.reply", old.pk)][0] == "waived"
    assert rows(p)[("proposal.objection", old.pk)][0] == "met"
    services.proposal_act(actor=actors.staff, proposal=p, action="reassign",
                          data={"assignment": old.pk, "unit": HandlingUnitFactory(committee=committee).pk})
    new = p.assignments.exclude(pk=old.pk).get()
    assert rows(p)[("proposal.reply", new.pk)] == ("open", new.due_date, new.due_date)


def test_the_job_repairs_rows_written_around_the_services(committee):
    p, actors = walk_to("handling", committee=committee)
    a = p.assignments.get()
    Assignment.objects.filter(pk=a.pk).update(due_date=D(2025, 10, 10))  # a bulk load, the Django admin …
    assert deadlines.stale_proposal_ids() == {p.pk}
    deadlines.sync_stale()
    assert rows(p)[("proposal.reply", a.pk)] == ("extended", D(2025, 10, 10), a.original_due_date)
    Proposal.objects.filter(pk=p.pk).update(state="closed")
    assert deadlines.stale_proposal_ids() == {p.pk}  # open rows of a proposal that no longer runs
    deadlines.sync_stale()
    assert deadlines.stale_proposal_ids() == set()
    assert all(state == "waived" for state, *_dates in rows(p).values() if state != "met")


def test_the_data_migration_makes_the_rows_the_services_make(committee):
    actors = make_actors(committee, units=2)
    running = [walk_to(state, actors=actors)[0] for state in ("assigned", "handling", "replied")]
    done, _ = walk_to("closed", actors=actors)
    expected = {p.pk: {k: v for k, v in rows(p).items() if v[0] in ("open", "extended")} for p in running + [done]}
    assert any(expected.values())
    Deadline.objects.all().delete()
    migration = importlib.import_module("xieshang.proposals.migrations.0006_deadlines")
    migration.forwards(django_apps, connection.schema_editor())
    assert {p.pk: rows(p) for p in running + [done]} == expected
    assert deadlines.stale_proposal_ids() == set()
