"""Every list of the opinion report screens makes the same number of queries with few rows as with many
(the outcomes, authors, recipients and combined reports of a page come with a fixed number of queries)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xieshang.core import clock
from xieshang.opinions import services
from xieshang.opinions.tests._screens import act, client_for, people, walk

pytestmark = pytest.mark.django_db


def _world(p, size: int):
    """`size` reports in each list: adopted (with an instruction), awaiting approval, submitted; combined
    ones; answers to a call; bulletins."""
    call = services.commission_create(actor=p.staff, committee=p.committee, topic=f"约稿{size}",
                                      due_on=clock.today() + datetime.timedelta(days=10))
    for i in range(size):
        walk(p, "adopted", title=f"已采用{i}")
        walk(p, "awaiting_approval", title=f"待签发{i}")
        walk(p, "submitted", title=f"新信息{i}", commission=call)
    a = walk(p, "submitted", title=f"综合甲{size}")
    b = walk(p, "submitted", title=f"综合乙{size}", author=p.other_member)
    services.opinion_combine(actor=p.staff, reports=[a, b], title=f"综合{size}", situation="情况", analysis="分析",
                             suggestion="建议")
    services.commission_create(actor=p.staff, committee=p.committee, topic=f"另一约稿{size}",
                               due_on=clock.today() + datetime.timedelta(days=20))
    return call


def _count(client, url, params):
    client.get(url, params)  # warm the caches (session, roles, calendar)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response


LISTS = [
    ("member", "opinions:mine", {}),
    ("member", "opinions:mine", {"q": "信息", "sort": "title"}),
    ("member", "opinions:commissions", {}),
    ("staff", "opinions:list", {}),
    ("staff", "opinions:list", {"tab": "all", "sort": "-number"}),
    ("staff", "opinions:list", {"tab": "forwarded", "q": "已采用"}),
    ("staff", "opinions:bulletins", {}),
    ("staff", "opinions:commissions", {}),
    ("leader", "opinions:approvals", {}),
    ("leader", "opinions:instructions", {}),
    ("staff", "opinions:commission", {}),
]


@pytest.mark.parametrize("who,url_name,params", LISTS)
def test_list_queries_do_not_grow_with_rows(committee, who, url_name, params):
    p = people(committee)
    call = _world(p, 2)
    url = reverse(url_name, args=[call.pk]) if url_name == "opinions:commission" else reverse(url_name)
    client = client_for(getattr(p, who))
    small, response = _count(client, url, {**params, "page_size": "100"})
    assert len(response.context["rows"]) >= 1
    more_call = _world(p, 8)
    if url_name == "opinions:commission":  # the bigger call
        url = reverse(url_name, args=[more_call.pk])
    big, response = _count(client, url, {**params, "page_size": "100"})
    assert len(response.context["rows"]) > 2
    assert big == small, f"{url_name} {params}: {small} queries with few rows, {big} with more"


def test_the_detail_page_queries_do_not_grow_with_outcomes(committee):
    p = people(committee)
    report = walk(p, "adopted")
    client = client_for(p.member)
    url = reverse("opinions:detail", args=[report.pk])
    small, _response = _count(client, url, {})
    act(report, p.staff, "record_adoption", recipient=p.recipients[1].pk, level="prefecture", kind="single")
    act(report, p.staff, "record_adoption", recipient=p.recipients[0].pk, level="province", kind="single")
    act(report, p.staff, "record_instruction", level="province", leader="某领导", date="2026-04-01", text="阅")
    big, _response = _count(client, url, {})
    assert big == small
