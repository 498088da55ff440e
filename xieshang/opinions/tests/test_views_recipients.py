"""The office's recipients page (报送对象): the list with the use of each, add and edit through
recipient_save, deactivate/reactivate through recipient_set_active, deletion of an unused one through
recipient_delete; other roles get a 404; bad input keeps what was typed; a fixed number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core.errors import Conflict, Forbidden, Invalid, NotFound
from xieshang.core.models import Event
from xieshang.core.tests.factories import HandlingUnitFactory, grant
from xieshang.opinions import services
from xieshang.opinions.models import Recipient
from xieshang.opinions.tests._screens import client_for, people, user, walk

pytestmark = pytest.mark.django_db
LIST = reverse("opinions:recipients")


def _edit(r):
    return reverse("opinions:recipient", args=[r.pk])


@pytest.fixture
def p(committee):
    return people(committee)


def test_staff_adds_a_recipient_and_it_is_offered_for_forwarding(p):
    c = client_for(p.staff)
    html = c.get(LIST).content.decode()
    assert "州委" in html and "自治区政协" in html
    r = c.post(LIST, {"name": " 州人大常委会 ", "level": "prefecture", "sort_order": "4"})
    assert r.status_code == 302
    row = Recipient.objects.get(committee=p.committee, name="州人大常委会")
    assert (row.level, row.sort_order, row.is_active) == ("prefecture", 4, True)
    event = Event.objects.get(action="recipient.create", object_id=str(row.pk))
    assert event.actor == p.staff and event.payload["name"] == "州人大常委会"
    assert "州人大常委会" in c.get(LIST).content.decode()
    api = ApiClient(issue_token(p.staff))
    assert "州人大常委会" in [x["name"] for x in api.get("opinions/recipients").json()]


def test_staff_edits_a_recipient(p):
    row = p.recipients[2]
    c = client_for(p.staff)
    assert "自治区政协" in c.get(_edit(row)).content.decode()
    r = c.post(_edit(row), {"name": "新疆维吾尔自治区政协", "level": "province", "sort_order": "9"})
    assert r.status_code == 302
    row.refresh_from_db()
    assert (row.name, row.level, row.sort_order) == ("新疆维吾尔自治区政协", "province", 9)
    event = Event.objects.get(action="recipient.update", object_id=str(row.pk))
    assert event.payload["before"]["name"] == "自治区政协"


def test_deactivated_recipient_is_not_offered_but_old_forwardings_keep_it(p):
    forwarded = walk(p, "forwarded")  # to 州委 and 州政府
    approved = walk(p, "approved", title="另一篇待报送的信息")
    gone = p.recipients[1]
    c = client_for(p.staff)
    assert c.post(_edit(gone), {"op": "deactivate"}).status_code == 302
    gone.refresh_from_db()
    assert not gone.is_active
    event = Event.objects.get(action="recipient.deactivate", object_id=str(gone.pk))
    assert (event.actor, event.from_state, event.to_state) == (p.staff, "active", "inactive")
    # not offered: the API, the bulletin composer, the forward form on the report
    api = ApiClient(issue_token(p.staff))
    assert [x["name"] for x in api.get("opinions/recipients").json()] == ["州委", "自治区政协"]
    composer = c.get(reverse("opinions:bulletin_new")).content.decode()
    assert f'name="recipients" value="{p.recipients[0].pk}"' in composer
    assert f'name="recipients" value="{gone.pk}"' not in composer and "州政府" not in composer
    detail = c.get(reverse("opinions:detail", args=[approved.pk])).content.decode()
    assert "州委" in detail and "州政府" not in detail
    with pytest.raises(Invalid):
        services.opinion_forward(actor=p.staff, report=approved, recipients=[gone])
    # the report forwarded before still shows it
    assert "州政府" in c.get(reverse("opinions:detail", args=[forwarded.pk])).content.decode()
    assert [x["recipient"]["name"] for x in api.get(f"opinions/{forwarded.pk}").json()["recipients"]] == ["州委", "州政府"]
    # the list shows it deactivated, with its one forwarding
    html = c.get(LIST).content.decode()
    assert "州政府" in html
    # reactivated: offered again
    assert c.post(_edit(gone), {"op": "activate"}).status_code == 302
    assert "州政府" in [x["name"] for x in api.get("opinions/recipients").json()]
    assert Event.objects.filter(action="recipient.activate", object_id=str(gone.pk)).count() == 1


def test_list_counts_the_forwardings_of_each(p):
    walk(p, "forwarded")
    walk(p, "forwarded", title="第二篇")
    rows = {r.pk: r for r in services.selectors.recipients_for_office(p.staff, p.committee)}
    assert [rows[r.pk].forwarding_count for r in p.recipients] == [2, 2, 0]
    html = client_for(p.staff).get(LIST).content.decode()
    assert html.count('data-testid="recipient-forwardings">2<') == 2
    assert html.count('data-testid="recipient-forwardings">0<') == 1


def test_a_used_recipient_cannot_be_deleted_an_unused_one_can(p):
    walk(p, "forwarded")
    used, unused = p.recipients[0], p.recipients[2]
    c = client_for(p.staff)
    assert 'data-testid="delete-recipient"' not in c.get(_edit(used)).content.decode()
    assert 'data-testid="delete-recipient"' in c.get(_edit(unused)).content.decode()
    r = c.post(_edit(used), {"op": "delete"}, follow=True)
    assert Recipient.objects.filter(pk=used.pk).exists()
    assert "deactivate" in r.content.decode() or "停用" in r.content.decode()
    with pytest.raises(Conflict):
        services.recipient_delete(actor=p.staff, committee=p.committee, recipient=used)
    assert c.post(_edit(unused), {"op": "delete"}).status_code == 302
    assert not Recipient.objects.filter(pk=unused.pk).exists()
    assert Event.objects.filter(action="recipient.delete", object_id=str(unused.pk)).count() == 1


@pytest.mark.parametrize("role", ["member", "leader", "unit"])
def test_other_roles_get_404(p, role):
    if role == "unit":
        u = user(p.committee)
        grant(u, p.committee, "unit", unit=HandlingUnitFactory(committee=p.committee))
    else:
        u = user(p.committee, role)
    c = client_for(u)
    row = p.recipients[0]
    assert c.get(LIST).status_code == 404
    assert c.post(LIST, {"name": "偷加的", "level": "prefecture"}).status_code == 404
    assert c.get(_edit(row)).status_code == 404
    assert c.post(_edit(row), {"op": "deactivate"}).status_code == 404
    assert c.post(_edit(row), {"name": "改名", "level": "prefecture"}).status_code == 404
    row.refresh_from_db()
    assert row.is_active and row.name == "州委"
    assert not Recipient.objects.filter(name="偷加的").exists()
    with pytest.raises(Forbidden):
        services.recipient_set_active(actor=u, committee=p.committee, recipient=row, active=False)
    with pytest.raises(Forbidden):
        services.recipient_delete(actor=u, committee=p.committee, recipient=row)


def test_another_committees_recipient_is_404(p):
    from xieshang.core.tests.factories import CommitteeFactory

    other = CommitteeFactory(code="other", name="别的政协")
    theirs = Recipient.objects.create(committee=other, name="别处州委", level="prefecture")
    c = client_for(p.staff)
    assert c.get(_edit(theirs)).status_code == 404
    assert c.post(_edit(theirs), {"op": "deactivate"}).status_code == 404
    assert c.get(reverse("opinions:recipient", args=[999999])).status_code == 404
    with pytest.raises(NotFound):
        services.recipient_set_active(actor=p.staff, committee=p.committee, recipient=theirs, active=False)
    theirs.refresh_from_db()
    assert theirs.is_active


def test_duplicate_name_refused_with_message_and_input_kept(p):
    c = client_for(p.staff)
    r = c.post(LIST, {"name": "州委", "level": "province", "sort_order": "7"})
    assert r.status_code == 200
    html = r.content.decode()
    assert Recipient.objects.filter(committee=p.committee, name="州委").count() == 1
    assert "has-error" in html and ("already has a recipient named" in html or "已有名为" in html)
    assert 'value="州委"' in html and 'value="7"' in html and '<option value="province" selected>' in html
    # renaming one onto another's name too
    r = c.post(_edit(p.recipients[1]), {"name": "州委", "level": "prefecture", "sort_order": "2"})
    assert r.status_code == 200 and "has-error" in r.content.decode()
    p.recipients[1].refresh_from_db()
    assert p.recipients[1].name == "州政府"


def test_over_long_name_and_bad_values_refused_with_input_kept(p):
    c = client_for(p.staff)
    long_name = "州" * 61
    r = c.post(LIST, {"name": long_name, "level": "prefecture", "sort_order": "1"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "has-error" in html and long_name in html
    assert not Recipient.objects.filter(name=long_name).exists()
    assert c.post(LIST, {"name": "州" * 60, "level": "prefecture"}).status_code == 302  # exactly the limit
    for bad in ({"name": "", "level": "prefecture"}, {"name": "州纪委", "level": "galactic"},
                {"name": "州纪委", "level": "prefecture", "sort_order": "-3"},
                {"name": "州纪委", "level": "prefecture", "sort_order": "99999999"},
                {"name": "州纪委", "level": "prefecture", "sort_order": "一"}):
        r = c.post(LIST, bad)
        assert r.status_code == 200 and "has-error" in r.content.decode(), bad
    assert not Recipient.objects.filter(name="州纪委").exists()
    with pytest.raises(Invalid) as info:
        services.recipient_save(actor=p.staff, committee=p.committee, name="x" * 61, level="prefecture")
    assert "name" in info.value.field_errors
    with pytest.raises(Invalid) as info:
        services.recipient_save(actor=p.staff, committee=p.committee, name="州委", level="prefecture")
    assert "name" in info.value.field_errors


def test_hostile_name_is_escaped(p):
    hostile = '<script>alert(1)</script>"\'{{ 7*7 }}'
    c = client_for(p.staff)
    assert c.post(LIST, {"name": hostile, "level": "prefecture"}).status_code == 302
    row = Recipient.objects.get(name=hostile)
    for url in (LIST, _edit(row)):
        html = c.get(url).content.decode()
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "{{ 7*7 }}" in html


def _list_queries(p) -> int:
    c = client_for(p.staff)
    c.get(LIST)  # warm the session and the caches
    with CaptureQueriesContext(connection) as ctx:
        assert c.get(LIST).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_makes_a_fixed_number_of_queries(p):
    walk(p, "adopted")
    few = _list_queries(p)
    for i in range(15):
        Recipient.objects.create(committee=p.committee, name=f"单位{i}", level="province", sort_order=10 + i,
                                 is_active=bool(i % 2))
    walk(p, "forwarded", title="又一篇")
    assert _list_queries(p) == few
