"""List pages cost a fixed number of queries whatever the page size; the Excel export holds the filtered rows."""

import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from xieshang.core.tests.factories import HandlingUnitFactory, MemberFactory, SectorFactory
from xieshang.proposals.models import Assignment, CoSigner, Proposal, ProposalState
from xieshang.proposals.tests.factories import ProposalFactory, make_member, make_role_user, make_unit

pytestmark = pytest.mark.django_db

ROWS = 60


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def _assignment(proposal, unit, role="sole", state="handling", due=None):
    today = timezone.localdate()
    due = due or today + datetime.timedelta(days=40)
    return Assignment.objects.create(
        proposal=proposal, unit=unit, role=role, state=state, assigned_at=timezone.now(),
        objection_due=today + datetime.timedelta(days=5), due_date=due, original_due_date=due,
    )


@pytest.fixture
def world(committee):
    """ROWS proposals in every list: handled by two units (lead + co), some overdue, key, submitted …"""
    staff = make_role_user(committee, "staff")
    leader = make_role_user(committee, "leader")
    lead_unit, lead_user = make_unit(committee, name="州发展改革委")
    co_unit, co_user = make_unit(committee, name="州财政局")
    proposer = make_member(committee)
    member = proposer.memberships.get()
    inviter = MemberFactory(committee=committee)
    past = timezone.localdate() - datetime.timedelta(days=60)
    for i in range(ROWS):
        sector = SectorFactory(committee=committee)
        p = ProposalFactory(
            committee=committee, lead_proposer=MemberFactory(committee=committee, sector=sector),
            state=ProposalState.HANDLING, number=f"13-4-{i + 1:04d}", sequence=i + 1, sector_name=sector.name,
            is_key=True, supervising_leader=leader, title=f"关于第{i}项工作的提案",
        )
        _assignment(p, lead_unit, "lead", due=past if i % 2 else None)
        _assignment(p, co_unit, "co", state="assigned")
        ProposalFactory(committee=committee, lead_proposer=member, state=ProposalState.SUBMITTED,
                        submitted_at=timezone.now(), title=f"待审查提案{i}")
        invited = ProposalFactory(committee=committee, lead_proposer=inviter, state=ProposalState.COSIGNING,
                                  cosign_deadline=timezone.now() + datetime.timedelta(days=3))
        CoSigner.objects.create(proposal=invited, member=member)
    return {"staff": staff, "leader": leader, "unit_user": lead_user, "co_user": co_user, "member": proposer,
            "committee": committee}


def _queries(client, url, params):
    client.get(url, params)  # warm caches (calendar, session) first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


@pytest.mark.parametrize(
    "who,url_name,params",
    [
        ("staff", "proposals:list", {}),
        ("staff", "proposals:list", {"overdue": "1", "sort": "due_date"}),
        ("staff", "proposals:review", {}),
        ("staff", "proposals:overdue", {}),
        ("staff", "proposals:assign_batch", {}),
        ("leader", "proposals:supervised", {}),
        ("unit_user", "proposals:unit_inbox", {"tab": "handling"}),
        ("co_user", "proposals:unit_inbox", {"tab": "to_acknowledge"}),
        ("member", "proposals:mine", {}),
        ("member", "proposals:cosign_invitations", {}),
    ],
)
def test_list_pages_make_a_fixed_number_of_queries(world, who, url_name, params):
    client = client_for(world[who])
    url = reverse(url_name)
    small, r10 = _queries(client, url, {**params, "page_size": "10"})
    large, r50 = _queries(client, url, {**params, "page_size": "50"})
    assert r10.content.count(b'data-testid="') < r50.content.count(b'data-testid="') or url_name == "proposals:assign_batch"
    assert small == large, f"{url_name}: {small} queries for 10 rows, {large} for 50"
    assert large < 40


def test_list_page_sizes_show_that_many_rows(world):
    client = client_for(world["staff"])
    url = reverse("proposals:list")
    assert client.get(url, {"page_size": "10"}).content.count(b'data-testid="proposal-row"') == 10
    assert client.get(url, {"page_size": "50"}).content.count(b'data-testid="proposal-row"') == 50
    assert client.get(url).content.count(b'data-testid="proposal-row"') == 50  # the default
    last = ROWS * 3 - 150  # handling, submitted and co-signing ones: 3 full pages of 50, then the rest
    assert client.get(url, {"page_size": "50", "page": "4"}).content.count(b'data-testid="proposal-row"') == last
    assert client.get(url, {"page_size": "50", "page": "99"}).content.count(b'data-testid="proposal-row"') == last


def _sheet(response):
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    wb = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    assert len([v for v in rows[0] if v is not None]) == 1  # the title row (core.exports.write_table)
    return rows[1:]


def test_export_holds_exactly_the_filtered_rows(world):
    client = client_for(world["staff"])
    rows = _sheet(client.get(reverse("proposals:export"), {"state": "handling", "overdue": "1"}))
    header, body = rows[0], rows[1:]
    assert len(header) == 17
    expected = set(Proposal.objects.filter(state="handling", assignments__due_date__lt=timezone.localdate(),
                                           assignments__role="lead").values_list("number", flat=True))
    assert len(body) == len(expected) == ROWS // 2
    assert {r[0] for r in body} == expected
    assert all("州发展改革委" in r[7] and "州财政局" in r[7] for r in body)
    everything = _sheet(client.get(reverse("proposals:export")))
    assert len(everything) - 1 == ROWS * 2 + ROWS  # handling, submitted and co-signing ones; no drafts


def test_export_writes_text_never_formulas(committee, make_user):
    staff = make_user(committee, "staff")
    ProposalFactory(committee=committee, state=ProposalState.SUBMITTED, title='=HYPERLINK("http://evil","x")\x07')
    rows = _sheet(client_for(staff).get(reverse("proposals:export")))
    assert rows[1][1] == '=HYPERLINK("http://evil","x")'


def test_export_follows_visibility(world, committee):
    unit_user = world["unit_user"]
    rows = _sheet(client_for(unit_user).get(reverse("proposals:export")))
    assert len(rows) - 1 == ROWS  # only the proposals assigned to the unit
    outsider_unit = HandlingUnitFactory(committee=committee)
    outsider = make_role_user(committee, "unit", unit=outsider_unit)
    assert len(_sheet(client_for(outsider).get(reverse("proposals:export")))) == 1


def test_the_filter_form_shows_the_chosen_values(committee):
    """The filters render in a template loop (core/_choice_field.html): the chosen option is marked, the
    defaults too, and an invalid value is reported without a 500."""
    unit, _user = make_unit(committee, name="州教育局")
    staff = client_for(make_role_user(committee, "staff"))
    from xieshang.proposals.forms import DEFAULT_PAGE_SIZE

    html = staff.get(reverse("proposals:list")).content.decode()
    assert html.count(" selected>") == 1 and f'<option value="{DEFAULT_PAGE_SIZE}" selected>' in html
    html = staff.get(reverse("proposals:list"), {"state": "handling", "unit": unit.pk, "page_size": 10}).content.decode()
    assert '<option value="handling" selected>' in html
    assert f'<option value="{unit.pk}" selected>州教育局</option>' in html
    assert '<option value="10" selected>' in html and html.count(" selected>") == 3
    response = staff.get(reverse("proposals:list"), {"state": "nonsense"})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
