"""Fixtures of the API tests: a small JSON client that carries a bearer token and a language."""

import json

import pytest
from django.test import Client

PASSWORD = "correct-horse-42"  # the password of every UserFactory user


class ApiClient:
    """Calls /api/v1/… with `Authorization: Bearer <token>` and `Accept-Language`."""

    def __init__(self, token=None, lang="zh-hans", client=None):
        self.token = token
        self.lang = lang
        self.client = client or Client()

    def headers(self, extra=None):
        h = {"Accept-Language": self.lang}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        h.update(extra or {})
        return h

    @staticmethod
    def url(path):
        return path if path.startswith("/") else "/api/v1/" + path

    def get(self, path, params=None, headers=None):
        return self.client.get(self.url(path), params or {}, headers=self.headers(headers))

    def post(self, path, data=None, headers=None):
        return self.client.post(
            self.url(path), json.dumps(data) if data is not None else "", content_type="application/json",
            headers=self.headers(headers),
        )

    def post_multipart(self, path, data, headers=None):
        return self.client.post(self.url(path), data, headers=self.headers(headers))

    def patch(self, path, data, headers=None):
        return self.client.patch(self.url(path), json.dumps(data), content_type="application/json",
                                 headers=self.headers(headers))

    def delete(self, path, headers=None):
        return self.client.delete(self.url(path), headers=self.headers(headers))

    def act(self, pk, action, data=None, headers=None):
        return self.post(f"proposals/{pk}/actions/{action}", data or {}, headers=headers)

    def in_language(self, lang):
        return ApiClient(self.token, lang, self.client)


def issue_token(user) -> str:
    from xieshang.api.services import api_token_issue

    _row, raw = api_token_issue(username=user.username, password=PASSWORD, otp=second_factor_code(user))
    return raw


def second_factor_code(user) -> str | None:
    """A code for a user who must (or does) sign in with two-step sign-in, as an administrator must: the user is
    enrolled first if need be, and gets one fresh recovery code to send (None for everyone else)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from xieshang.core import second_factor

    if not second_factor.is_enrolled(user):
        if not second_factor.is_required(user):
            return None
        device = second_factor.second_factor_enrol_start(actor=user)
        second_factor.second_factor_enrol_confirm(actor=user, code=f"{totp(device.bin_key):06d}",
                                                   password=PASSWORD)
    code = StaticToken.random_token()
    StaticToken.objects.create(device=StaticDevice.objects.get(user=user), token=code)
    return code


@pytest.fixture
def api_as(db):
    """api_as(user, lang="zh-hans") → an ApiClient with a fresh token of that user."""

    def _make(user, lang="zh-hans"):
        return ApiClient(issue_token(user), lang)

    return _make


@pytest.fixture
def anon_api(db):
    return ApiClient()


class People:
    """The cast of a proposal's life in one committee, each with an API client."""


@pytest.fixture
def people(committee, make_user, api_as):
    from xieshang.core.tests.factories import HandlingUnitFactory
    from xieshang.proposals.tests.factories import Actors

    p = People()
    p.committee = committee
    p.lead_unit = HandlingUnitFactory(committee=committee, name="州发展和改革委员会")
    p.co_unit = HandlingUnitFactory(committee=committee, name="州财政局")
    p.other_unit = HandlingUnitFactory(committee=committee, name="州教育局")
    p.staff = make_user(committee, "staff", username="staff.li", full_name="李干事")
    p.proposer = make_user(committee, "member", username="member.zhang", full_name="张委员")
    p.cosigner = make_user(committee, "member", username="member.zhao", full_name="赵委员")
    p.outsider = make_user(committee, "member", username="member.qian", full_name="钱委员")
    p.leader = make_user(committee, "leader", username="leader.sun", full_name="孙主席")
    p.lead_user = make_user(committee, "unit", unit=p.lead_unit, username="unit.fgw", full_name="发改委联络员")
    p.co_user = make_user(committee, "unit", unit=p.co_unit, username="unit.czj", full_name="财政局联络员")
    p.other_user = make_user(committee, "unit", unit=p.other_unit, username="unit.jyj", full_name="教育局联络员")
    p.cosigner_member = p.cosigner.memberships.get(committee=committee)
    p.actors = Actors(
        committee=committee, proposer=p.proposer, member=p.proposer.memberships.get(committee=committee),
        staff=p.staff, leader=p.leader, cosigner=p.cosigner, units=[p.lead_unit, p.co_unit],
        unit_users=[p.lead_user, p.co_user], roles=["lead", "co"],
    )
    for name in ("staff", "proposer", "cosigner", "outsider", "leader", "lead_user", "co_user", "other_user"):
        setattr(p, "api_" + name.replace("_user", ""), api_as(getattr(p, name)))
    return p


def make_proposal(people, state="draft", **fields):
    """A proposal of `people.proposer` brought to `state` by the domain's `walk_to` (through the services),
    with the lead unit and the co-handling unit of `people`."""
    from xieshang.proposals.tests.factories import walk_to

    proposal, _actors = walk_to(state, actors=people.actors, cosign=fields.pop("cosign", False), **fields)
    assert proposal.state == state, (proposal.state, state)
    return proposal
