"""The reminders added to tasks.run_periodic_jobs: first contact (answering unit), co-units' views
(co unit), evaluation (proposer); each once per recipient (dedupe keys)."""

import datetime

import pytest

from xieshang.core.models import Notification
from xieshang.proposals import services, tasks
from xieshang.proposals.models import Assignment, Proposal
from xieshang.proposals.tests.factories import make_actors, walk_to

pytestmark = pytest.mark.django_db
D = datetime.date
FAR = D(2030, 1, 1)


def _sent(kind):
    return Notification.objects.filter(kind=kind)


def _run(day, key):
    return tasks.run_periodic_jobs(day)[key]


def test_first_contact_reminders_before_on_and_after_until_a_consultation(committee):
    p, actors = walk_to("handling", committee=committee)
    Assignment.objects.filter(proposal=p).update(first_contact_due=D(2025, 10, 10), due_date=FAR)
    assert _run(D(2025, 9, 25), "first_contact_reminders") == 0
    assert _run(D(2025, 9, 26), "first_contact_reminders") == 1  # 5 working days ahead (National Day between)
    assert _run(D(2025, 9, 26), "first_contact_reminders") == 0  # twice the same day: once
    assert _run(D(2025, 10, 10), "first_contact_reminders") == 1
    assert _run(D(2025, 10, 11), "first_contact_reminders") == 1  # overdue, then weekly
    assert _run(D(2025, 10, 12), "first_contact_reminders") == 0
    sent = _sent("proposal.first_contact_reminder")
    assert set(sent.values_list("recipient", flat=True)) == {actors.unit_users[0].pk}
    assert all(n.dedupe_key.startswith(f"proposal.first_contact:{p.assignments.get().pk}:") for n in sent)
    services.proposal_act(actor=actors.unit_users[0], proposal=p, action="consult",
                          data={"date": "2025-10-01", "form": "phone", "summary": "电话沟通"})
    assert _run(D(2025, 10, 18), "first_contact_reminders") == 0  # contact made


def test_no_first_contact_reminder_for_co_units_or_replied_work(committee):
    actors = make_actors(committee, units=2)
    p, _ = walk_to("handling", actors=actors)
    Assignment.objects.filter(proposal=p).update(first_contact_due=D(2025, 10, 10), due_date=FAR, views_due=None)
    assert _run(D(2025, 10, 10), "first_contact_reminders") == 1  # the lead unit only
    assert _sent("proposal.first_contact_reminder").get().recipient == actors.unit_users[0]
    q, _ = walk_to("replied", committee=committee)
    Assignment.objects.filter(proposal=q).update(first_contact_due=D(2025, 10, 17))
    _run(D(2025, 10, 17), "first_contact_reminders")
    assert not _sent("proposal.first_contact_reminder").filter(
        dedupe_key__startswith=f"proposal.first_contact:{q.assignments.get().pk}:").exists()


def test_views_reminders_go_to_the_co_unit_until_it_sends_its_views(committee):
    actors = make_actors(committee, units=2)
    p, _ = walk_to("handling", actors=actors)
    Assignment.objects.filter(proposal=p).update(first_contact_due=None, due_date=FAR)
    co = p.assignments.get(role="co")
    Assignment.objects.filter(pk=co.pk).update(views_due=D(2025, 10, 10))
    assert _run(D(2025, 9, 25), "views_reminders") == 0
    assert _run(D(2025, 9, 26), "views_reminders") == 1
    assert _run(D(2025, 10, 10), "views_reminders") == 1
    assert _run(D(2025, 10, 10), "views_reminders") == 0
    assert set(_sent("proposal.views_reminder").values_list("recipient", flat=True)) == {actors.unit_users[1].pk}
    assert _sent("proposal.views_reminder").filter(dedupe_key=f"proposal.co_views:{co.pk}:due:2025-10-10").exists()
    services.proposal_act(actor=actors.unit_users[1], proposal=p, action="send_views", data={"text": "同意主办单位意见"})
    assert _run(D(2025, 10, 11), "views_reminders") == 0


def test_evaluation_reminder_once_before_the_evaluation_due_date(committee):
    p, actors = walk_to("replied", committee=committee)
    Proposal.objects.filter(pk=p.pk).update(evaluation_due=D(2025, 10, 10))
    assert _run(D(2025, 9, 25), "evaluation_reminders") == 0
    assert _run(D(2025, 9, 26), "evaluation_reminders") == 1
    assert _run(D(2025, 9, 29), "evaluation_reminders") == 0
    assert _run(D(2025, 10, 10), "evaluation_reminders") == 0  # one reminder, not one a day
    assert _run(D(2025, 10, 11), "evaluation_reminders") == 0
    note = _sent("proposal.evaluation_reminder").get()
    assert note.recipient == actors.proposer and note.dedupe_key == f"proposal.evaluation:{p.pk}:1:2025-10-10"


def test_a_later_run_within_the_window_still_reminds(committee):
    p, actors = walk_to("replied", committee=committee)
    Proposal.objects.filter(pk=p.pk).update(evaluation_due=D(2025, 10, 10))
    assert _run(D(2025, 10, 9), "evaluation_reminders") == 1  # the job did not run on the reminder day


def test_no_evaluation_reminder_once_every_reply_is_evaluated(committee):
    p, actors = walk_to("replied", committee=committee)
    services.proposal_act(actor=actors.proposer, proposal=p, action="evaluate",
                           data={"verdict": "dissatisfied", "comment": "未解决"})
    p.refresh_from_db()
    assert p.state == "replied"
    Proposal.objects.filter(pk=p.pk).update(evaluation_due=D(2025, 10, 10))
    assert _run(D(2025, 10, 9), "evaluation_reminders") == 0
