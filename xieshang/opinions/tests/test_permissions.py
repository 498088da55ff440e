"""The permission matrix of opinion reports: role × action, through the services AND through the API.

Each action is tried on a report in a state where it is legal, by every role:
  author     a member who submitted the report (its first author)
  other      another member of the committee
  staff      office staff
  leader     a leader of the committee
  unit       a handling-unit user
  station    a station keeper (not an author of this report)
  anonymous  nobody signed in
"ok" means the action goes through; 403: the report is visible but the action is not this role's;
404: the role may not see the report (a draft is seen by its authors alone). Anonymous API callers get 401.
"""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core import clock
from xieshang.core.errors import ServiceError
from xieshang.opinions import selectors, services
from xieshang.opinions.models import Forwarding, OpinionReport
from xieshang.opinions.tests.factories import make_actors, walk_to

pytestmark = pytest.mark.django_db

ROLES = ("author", "other", "staff", "leader", "unit", "station", "anonymous")
OK = "ok"

# action: (the state it is tried in, the outcome per role in ROLES order)
MATRIX = {
    "update":             ("draft",             (OK, 404, 404, 404, 404, 404, 404)),
    "submit":             ("draft",             (OK, 404, 404, 404, 404, 404, 404)),
    "withdraw":           ("submitted",         (OK, 404, 403, 403, 404, 404, 404)),
    "resubmit":           ("returned",          (OK, 404, 403, 403, 404, 404, 404)),
    "start_editing":      ("submitted",         (403, 404, OK, 403, 404, 404, 404)),
    "edit":               ("submitted",         (403, 404, OK, 403, 404, 404, 404)),
    "return":             ("submitted",         (403, 404, OK, 403, 404, 404, 404)),
    "combine":            ("submitted",         (403, 404, OK, 403, 404, 404, 404)),
    "decline":            ("editing",           (403, 404, OK, 403, 404, 404, 404)),
    "send_for_approval":  ("editing",           (403, 404, OK, 403, 404, 404, 404)),
    "send_back":          ("awaiting_approval", (403, 404, 403, OK, 404, 404, 404)),
    "approve":            ("awaiting_approval", (403, 404, 403, OK, 404, 404, 404)),
    "forward":            ("approved",          (403, 404, OK, 403, 404, 404, 404)),
    "record_adoption":    ("forwarded",         (403, 404, OK, 403, 404, 404, 404)),
    "record_instruction": ("forwarded",         (403, 404, OK, OK, 404, 404, 404)),
    "close":              ("forwarded",         (403, 404, OK, 403, 404, 404, 404)),
}
# Creating a draft in one's own name (a member), and reading a submitted report.
CREATE = (OK, OK, 403, 403, 403, 403, 403)
VIEW_SUBMITTED = (OK, 404, OK, OK, 404, 404, 404)
VIEW_DRAFT = (OK, 404, 404, 404, 404, 404, 404)


@pytest.fixture
def actors():
    clock.set_to(datetime.date(2026, 3, 2))
    return make_actors()


def user_of(actors, role):
    return AnonymousUser() if role == "anonymous" else getattr(actors, role)


def data_for(action, report, actors):
    if action == "update":
        return {"title": "新标题", "body": "新的全文"}
    if action == "edit":
        return {"body": "编辑稿"}
    if action in ("return", "decline", "send_back"):
        return {"reason": "请补充"}
    if action == "combine":
        partner = walk_to("submitted", actors, title="一起综合的另一篇")
        return {"reports": [partner.pk], "title": "综合稿", "body": "综合后的全文"}
    if action == "forward":
        return {"recipients": [actors.recipients[0].pk]}
    if action == "record_adoption":
        return {"recipient": Forwarding.objects.filter(report=report).first().recipient_id, "level": "prefecture",
                "kind": "single"}
    if action == "record_instruction":
        return {"level": "prefecture", "leader": "王某某", "date": "2026-03-05", "text": "阅"}
    return {}


def service_outcome(actor, report, action, data):
    try:
        services.opinion_act(actor=actor, report=report.pk, action=action, data=data)
    except ServiceError as exc:
        return exc.status
    return OK


def api_outcome(actors, role, report, action, data):
    if role == "anonymous":
        client = ApiClient()
    else:
        client = ApiClient(issue_token(getattr(actors, role)))
    r = client.post(f"opinions/{report.pk}/actions/{action}", data)
    if r.status_code == 200:
        return OK
    return r.status_code


@pytest.mark.parametrize("action", sorted(MATRIX))
def test_matrix_through_services_and_api(actors, action):
    state, expected = MATRIX[action]
    refused = walk_to(state, actors)  # refusals change nothing: one report for all of them
    for role, outcome in zip(ROLES, expected, strict=True):
        for channel in ("services", "api"):
            report = refused if outcome != OK else walk_to(state, actors)
            data = data_for(action, report, actors)
            before = OpinionReport.objects.get(pk=report.pk).version
            if channel == "services":
                got = service_outcome(user_of(actors, role), report, action, data)
                want = outcome
            else:
                got = api_outcome(actors, role, report, action, data)
                want = 401 if role == "anonymous" else outcome
            assert got == want, (action, role, channel, got, want)
            if got != OK:
                assert OpinionReport.objects.get(pk=report.pk).version == before
        # what the button list says agrees with the matrix
        user = user_of(actors, role)
        if outcome in (OK, 403):
            offered = {t.action for t in selectors.available_actions(user, refused)}
            assert (action in offered) == (outcome == OK), (action, role, offered)


def test_create_and_view(actors):
    submitted = walk_to("submitted", actors)
    draft = walk_to("draft", actors)
    for role, create, view, view_draft in zip(ROLES, CREATE, VIEW_SUBMITTED, VIEW_DRAFT, strict=True):
        user = user_of(actors, role)
        try:
            services.opinion_create(actor=user, committee=actors.committee, title="标题", body="全文")
            got = OK
        except ServiceError as exc:
            got = exc.status
        assert got == create, ("create", role, got)
        for report, want in ((submitted, view), (draft, view_draft)):
            try:
                selectors.opinion_get(user, report.pk)
                got = OK
            except ServiceError as exc:
                got = exc.status
            assert got == want, ("view", role, report.state, got)
        client = ApiClient() if role == "anonymous" else ApiClient(issue_token(user))
        r = client.post("opinions", {"title": "标题", "body": "全文"})
        assert (OK if r.status_code == 201 else r.status_code) == (401 if role == "anonymous" else create), role
        for report, want in ((submitted, view), (draft, view_draft)):
            r = client.get(f"opinions/{report.pk}")
            assert (OK if r.status_code == 200 else r.status_code) == (401 if role == "anonymous" else want), role
