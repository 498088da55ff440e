"""The front door: the workbench names the unit or station it belongs to, the station keeper's workbench says
what it will do, and the sign-in page says what exists and what is coming."""

import pytest
from django.test import Client

from xieshang.core.models import LiaisonStation
from xieshang.core.selectors import scope_names_of
from xieshang.core.tests.factories import CommitteeFactory, HandlingUnitFactory, UserFactory, grant

pytestmark = pytest.mark.django_db


def _home(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client.get("/").content.decode()


def test_unit_workbench_names_the_unit():
    committee = CommitteeFactory()
    unit = HandlingUnitFactory(committee=committee, name="州<农业>农村局")
    user = UserFactory()
    grant(user, committee, "unit", unit=unit)
    assert scope_names_of(user, committee) == {"unit": ["州<农业>农村局"]}
    page = _home(user)
    assert 'data-testid="home-scope">州&lt;农业&gt;农村局<' in page


def test_station_workbench_says_what_is_coming():
    committee = CommitteeFactory()
    station = LiaisonStation.objects.create(committee=committee, name="三工镇委员联络站")
    user = UserFactory()
    grant(user, committee, "station", liaison_station=station)
    page = _home(user)
    assert 'data-testid="station-card"' in page and "三工镇委员联络站" in page
    assert scope_names_of(user, committee) == {"station": ["三工镇委员联络站"]}


def test_member_has_no_scope_and_no_station_card():
    committee = CommitteeFactory()
    user = UserFactory()
    grant(user, committee, "member")
    assert scope_names_of(user, committee) == {}
    assert 'data-testid="station-card"' not in _home(user)
    assert scope_names_of(None, committee) == {}


def test_sign_in_page_says_what_exists_and_what_is_coming():
    from django.urls import reverse

    body = Client().get(reverse("core:login")).content.decode()
    section = body[body.index('data-testid="what-exists"'):]
    assert section.count("<p") == 2  # what works today, and what is coming
