"""The handling unit's screens: inbox tabs, acknowledge / object, consultation, co-unit views, extension,
the reply with its letter (type and size checked, text kept), and what a unit may not see."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from xieshang.proposals.models import Assignment, AssignmentState, CoUnitView, HandlingConsultation, ProposalState
from xieshang.proposals.tests.factories import make_actors, make_unit, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def actors(committee):
    return make_actors(committee, units=2)  # lead + co


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_inbox_tabs_and_acknowledge_from_the_inbox(actors):
    p, _ = walk_to("assigned", actors=actors)
    lead = client_for(actors.unit_users[0])
    url = reverse("proposals:unit_inbox")
    html = lead.get(url).content.decode()
    assert p.title in html and 'data-testid="acknowledge"' in html
    for tab in ("to_acknowledge", "handling", "due_soon", "replied", "bogus"):
        assert lead.get(url, {"tab": tab}).status_code == 200
    assignment = Assignment.objects.get(proposal=p, unit=actors.units[0])
    response = lead.post(reverse("proposals:act", args=[p.pk, "acknowledge"]),
                         {"acknowledge-assignment": assignment.pk, "next": url + "?tab=to_acknowledge"})
    assert response.status_code == 302 and response["Location"] == url + "?tab=to_acknowledge"
    assignment.refresh_from_db()
    assert assignment.state == AssignmentState.HANDLING
    assert p.title in lead.get(url, {"tab": "handling"}).content.decode()
    assert p.title not in lead.get(url, {"tab": "to_acknowledge"}).content.decode()


def test_object_needs_a_reason_and_keeps_nothing_lost(actors):
    p, _ = walk_to("assigned", actors=actors)
    lead = client_for(actors.unit_users[0])
    url = reverse("proposals:act", args=[p.pk, "object"])
    response = lead.post(url, {"object-reason": ""})
    assert response.status_code == 200 and 'class="field has-error"' in response.content.decode()
    assert lead.post(url, {"object-reason": "应由州交通局办理"}).status_code == 302
    assert Assignment.objects.get(proposal=p, unit=actors.units[0]).state == AssignmentState.OBJECTED


def test_consultation_views_extension_and_reply_with_letter(actors, settings):
    settings.XIESHANG_MAX_UPLOAD_MB = 1
    p, _ = walk_to("handling", actors=actors)
    lead = client_for(actors.unit_users[0])
    co = client_for(actors.unit_users[1])
    detail = reverse("proposals:detail", args=[p.pk])

    lead_html = lead.get(detail).content.decode()
    assert 'data-testid="action-reply"' in lead_html and 'data-testid="action-send_views"' not in lead_html
    co_html = co.get(detail).content.decode()
    assert 'data-testid="action-send_views"' in co_html and 'data-testid="action-reply"' not in co_html

    # consultation: a future date is refused with the summary kept
    future = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    response = lead.post(reverse("proposals:act", args=[p.pk, "consult"]),
                         {"consult-date": future, "consult-form": "meeting", "consult-summary": "与提案人面商"})
    assert response.status_code == 200 and "与提案人面商" in response.content.decode()
    lead.post(reverse("proposals:act", args=[p.pk, "consult"]),
              {"consult-date": datetime.date.today().isoformat(), "consult-form": "meeting", "consult-summary": "与提案人面商"})
    assert HandlingConsultation.objects.filter(assignment__proposal=p).count() == 1

    co.post(reverse("proposals:act", args=[p.pk, "send_views"]), {"send_views-text": "协办意见：同意"})
    assert CoUnitView.objects.get(assignment__unit=actors.units[1]).text == "协办意见：同意"

    reply_url = reverse("proposals:act", args=[p.pk, "reply"])
    text = "经研究，答复如下：……"
    wrong_type = SimpleUploadedFile("letter.exe", b"MZ...", content_type="application/octet-stream")
    response = lead.post(reply_url, {"reply-outcome": "adopted", "reply-text": text, "reply-letter": wrong_type})
    assert response.status_code == 200
    html = response.content.decode()
    assert text in html and 'class="field has-error"' in html
    too_big = SimpleUploadedFile("letter.pdf", b"%PDF" + b"0" * (1024 * 1024 + 10), content_type="application/pdf")
    response = lead.post(reply_url, {"reply-outcome": "adopted", "reply-text": text, "reply-letter": too_big})
    assert response.status_code == 200 and text in response.content.decode()
    p.refresh_from_db()
    assert p.state == ProposalState.HANDLING

    letter = SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 letter", content_type="application/pdf")
    response = lead.post(reply_url, {"reply-outcome": "planned", "reply-text": text, "reply-signed_by": "张局长",
                                     "reply-letter": letter})
    assert response.status_code == 302
    p.refresh_from_db()
    assert p.state == ProposalState.REPLIED
    reply = p.replies.get()
    download = lead.get(reverse("proposals:reply_letter", args=[p.pk, reply.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 letter"
    # the proposer sees it too; a stranger's unit does not
    assert client_for(actors.proposer).get(reverse("proposals:reply_letter", args=[p.pk, reply.pk])).status_code == 200


def test_extension_request_form_keeps_the_reason_on_a_bad_date(actors):
    p, _ = walk_to("handling", actors=actors)
    lead = client_for(actors.unit_users[0])
    a = Assignment.objects.get(proposal=p, unit=actors.units[0])
    response = lead.post(reverse("proposals:act", args=[p.pk, "request_extension"]),
                         {"request_extension-until": a.due_date.isoformat(), "request_extension-reason": "需要与多部门协调"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "需要与多部门协调" in html and 'class="field has-error"' in html


def test_a_unit_cannot_open_another_units_proposal(actors, committee):
    p, _ = walk_to("handling", actors=actors)
    _other_unit, other_user = make_unit(committee)
    other = client_for(other_user)
    for name in ("proposals:detail", "proposals:print", "proposals:edit", "proposals:assign"):
        assert other.get(reverse(name, args=[p.pk])).status_code == 404, name
    assert other.post(reverse("proposals:act", args=[p.pk, "reply"]),
                      {"reply-outcome": "adopted", "reply-text": "x"}).status_code == 404
    assert p.title not in other.get(reverse("proposals:unit_inbox"), {"tab": "handling"}).content.decode()
    assert p.title not in other.get(reverse("proposals:list")).content.decode()


def test_a_unit_does_not_see_the_reply_letter_of_a_proposal_it_lost(actors, committee):
    p, _ = walk_to("replied", actors=actors)
    reply = p.replies.get()
    _other_unit, other_user = make_unit(committee)
    assert client_for(other_user).get(reverse("proposals:reply_letter", args=[p.pk, reply.pk])).status_code == 404
    # a reply without an uploaded letter has nothing to download
    assert client_for(actors.proposer).get(reverse("proposals:reply_letter", args=[p.pk, reply.pk])).status_code == 404


def test_inbox_is_404_for_a_member(actors):
    assert client_for(actors.proposer).get(reverse("proposals:unit_inbox")).status_code == 404
