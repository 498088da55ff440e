"""Concurrency: two staff at once, adoption recorded twice at the same moment, numbers under load.

The thread tests need row locks and real concurrent connections: they run on PostgreSQL
(DATABASE_URL=postgres://…) and are skipped on SQLite, where test_services_workflow covers the same
rules sequentially (combine refused while another edits, stale versions, adoption twice = one record).
"""

from __future__ import annotations

import datetime

import pytest

from xieshang.core import clock
from xieshang.core.errors import Conflict, IllegalTransition, ServiceError
from xieshang.core.models import Event
from xieshang.core.tests.concurrency import postgres_only, run_together
from xieshang.opinions import services
from xieshang.opinions.models import Adoption, Bulletin, OpinionReport, OpinionState
from xieshang.opinions.tests.factories import make_actors, walk_to

S = OpinionState


@pytest.fixture
def actors():
    clock.set_to(datetime.date(2026, 3, 2))
    return make_actors()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_adoption_recorded_at_the_same_moment_is_one_record(actors):
    report = walk_to("forwarded", actors)
    recipient = actors.recipients[0]

    def record(_i):
        return services.opinion_record_adoption(actor=actors.staff, report=report.pk, recipient=recipient,
                                                level="prefecture")

    results = run_together(4, record)
    assert all(isinstance(r, OpinionReport) for r in results), results
    assert Adoption.objects.filter(report=report).count() == 1
    assert Event.objects.filter(action="opinion.record_adoption").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_combine_and_edit_at_the_same_moment_one_wins(actors):
    a = walk_to("submitted", actors)
    b = walk_to("submitted", actors, title="另一篇")

    def go(i):
        if i == 0:
            return services.opinion_edit(actor=actors.staff, report=b.pk, data={"body": "编辑稿"})
        return services.opinion_combine(actor=actors.staff2, reports=[a, b], title="综合", body="综合稿")

    results = run_together(2, go)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], (Conflict, IllegalTransition)), results
    b.refresh_from_db()
    if isinstance(results[0], Exception):  # the combination won: the edit found a combined report
        assert b.state == S.COMBINED and OpinionReport.objects.filter(is_combined=True).count() == 1
    else:  # the edit won: the combination found it being edited by the other staff member
        assert errors[0].detail == "being_edited"
        assert b.state == S.EDITING and not OpinionReport.objects.filter(is_combined=True).exists()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_and_forwardings_get_distinct_numbers(actors):
    drafts = [walk_to("draft", actors, title=f"第{i}篇") for i in range(5)]
    results = run_together(5, lambda i: services.opinion_submit(actor=actors.author, report=drafts[i].pk).number)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [1, 2, 3, 4, 5]

    approved = [walk_to("approved", actors, title=f"签发{i}") for i in range(4)]
    results = run_together(4, lambda i: services.opinion_forward(
        actor=actors.staff, report=approved[i].pk, recipients=[actors.recipients[0]]).bulletin_id)
    assert not [r for r in results if isinstance(r, (ServiceError, Exception))], results
    assert sorted(Bulletin.objects.values_list("number", flat=True)) == [1, 2, 3, 4]
