"""GET /api/v1/me/duty-facts: the caller's own duty ledger, by year, in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext as _

from xieshang.core import clock, duty
from xieshang.core.models import DutyFact

from .conftest import make_proposal

pytestmark = pytest.mark.django_db


def _register(people, title, day=None):
    if day is not None:
        clock.set_to(day)
    proposal = make_proposal(people, "registered", cosign=True, title=title)
    clock.reset()
    return proposal


def test_the_caller_sees_own_facts_with_labels_and_titles(people):
    proposal = _register(people, "关于发展设施农业的提案", datetime.date(2025, 4, 2))
    body = people.api_proposer.get("me/duty-facts").json()
    assert len(body) == 1
    fact = body[0]
    with translation.override("zh-hans"):
        assert fact["kind"] == "proposal.lead" and fact["label"] == str(_("first proposer of a registered proposal"))
    assert fact["object_kind"] == "proposals.proposal" and fact["object_id"] == proposal.pk
    assert fact["title"] == f"{proposal.number} 关于发展设施农业的提案"
    assert (fact["quantity"], fact["authors"], fact["lead"]) == (1, 2, True)
    assert fact["occurred_on"] == "2025-04-02" and fact["committee"] == people.committee.pk

    cosigned = people.api_cosigner.in_language("en").get("me/duty-facts").json()
    assert [(f["kind"], f["label"], f["lead"], f["authors"]) for f in cosigned] == [
        ("proposal.cosigner", "co-signer of a registered proposal", False, 2)]
    # neither the staff who registered it nor another member has any fact of it
    assert people.api_staff.get("me/duty-facts").json() == []
    assert people.api_outsider.get("me/duty-facts").json() == []


def test_the_year_filter(people):
    _register(people, "二〇二四年的提案", datetime.date(2024, 3, 1))
    _register(people, "二〇二五年的提案", datetime.date(2025, 3, 1))
    years = {f["occurred_on"][:4] for f in people.api_proposer.get("me/duty-facts", {"year": 2024}).json()}
    assert years == {"2024"}
    assert len(people.api_proposer.get("me/duty-facts").json()) == 2
    assert people.api_proposer.get("me/duty-facts", {"year": 2023}).json() == []
    bad = people.api_proposer.get("me/duty-facts", {"year": "last"})
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"


def test_anonymous_is_401(anon_api):
    assert anon_api.get("me/duty-facts").status_code == 401


def _count(client):
    client.get("me/duty-facts")  # the token's first use of the minute writes its last use: not counted
    with CaptureQueriesContext(connection) as queries:
        response = client.get("me/duty-facts")
    assert response.status_code == 200
    return len(queries), len(response.json())


def test_a_fixed_number_of_queries_whatever_the_number_of_facts(people):
    _register(people, "第一件提案")
    small, rows_small = _count(people.api_proposer)
    for n in range(4):
        _register(people, f"第{n + 2}件提案")
    # another kind of object: one more query for its titles, however many facts of it
    duty.duty_fact_record(member=people.actors.member, kind="proposal.key", obj=people.committee,
                          occurred_on=clock.today())
    middle, _ = _count(people.api_proposer)
    duty.duty_fact_record(member=people.actors.member, kind="proposal.excellent", obj=people.committee,
                          occurred_on=clock.today())
    large, rows_large = _count(people.api_proposer)
    assert (rows_small, rows_large) == (1, 7)
    assert middle == small + 1 and large == middle
    assert DutyFact.objects.filter(member=people.actors.member).count() == 7
