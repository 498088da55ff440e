"""Public disclosure: `set_public` publishes (or withdraws) the proposal together with its replies."""

import pytest
from django.urls import reverse

from xieshang.core.errors import Invalid
from xieshang.core.models import Event
from xieshang.portal.selectors import public_proposal_get, public_proposals
from xieshang.proposals import services
from xieshang.proposals.models import Reply
from xieshang.proposals.tests.factories import make_actors, walk_to

pytestmark = pytest.mark.django_db
REPLY = {"outcome": "adopted", "text": "已采纳，正在落实。"}


def _publish(actors, p, **data):
    return services.proposal_act(actor=actors.staff, proposal=p, action="set_public", data=data)


def test_publishing_a_replied_proposal_publishes_its_replies_for_the_portal(committee):
    p, actors = walk_to("replied", committee=committee)
    assert public_proposals(committee).count() == 0
    _publish(actors, p, value=True)
    assert Reply.objects.get(proposal=p).is_public
    shown = public_proposal_get(committee, p.pk)
    assert [r.pk for r in shown.public_replies] == [Reply.objects.get(proposal=p).pk]
    event = Event.objects.for_object(p).filter(action="proposal.set_public").get()
    assert event.payload == {"value": True, "replies_public": True, "replies": 1, "replies_changed": 1}


def test_withdrawing_publication_withdraws_the_replies_too(committee):
    p, actors = walk_to("replied", committee=committee)
    _publish(actors, p, value=True)
    _publish(actors, p, value=False)
    p.refresh_from_db()
    assert not p.is_public and not Reply.objects.get(proposal=p).is_public
    assert Event.objects.for_object(p).filter(action="proposal.set_public").last().payload["replies_changed"] == 1


def test_the_replies_can_stay_unpublished(committee):
    p, actors = walk_to("replied", committee=committee)
    _publish(actors, p, value=True, replies=False)
    p.refresh_from_db()
    assert p.is_public and not Reply.objects.get(proposal=p).is_public
    assert public_proposal_get(committee, p.pk).public_replies == []
    payload = Event.objects.for_object(p).filter(action="proposal.set_public").get().payload
    assert payload["replies_public"] is False and payload["replies_changed"] == 0 and payload["replies"] == 1


def test_replies_flag_must_be_a_yes_or_no(committee):
    p, actors = walk_to("replied", committee=committee)
    with pytest.raises(Invalid) as exc:
        _publish(actors, p, value=True, replies="maybe")
    assert "replies" in exc.value.field_errors
    p.refresh_from_db()
    assert not p.is_public  # nothing changed


def test_a_reply_arriving_on_a_public_proposal_is_public(committee):
    actors = make_actors(committee, units=2, roles=["split", "split"])
    p, _ = walk_to("handling", actors=actors)
    p = services.proposal_act(actor=actors.unit_users[0], proposal=p, action="reply", data=REPLY)
    _publish(actors, p, value=True)
    assert Reply.objects.get(proposal=p).is_public
    services.proposal_act(actor=actors.unit_users[1], proposal=p, action="reply", data=REPLY)
    assert Reply.objects.filter(proposal=p, is_public=True).count() == 2
    assert len(public_proposal_get(committee, p.pk).public_replies) == 2


def test_a_reply_on_an_unpublished_proposal_stays_unpublished(committee):
    p, actors = walk_to("replied", committee=committee)
    assert not Reply.objects.get(proposal=p).is_public


def test_the_publish_button_on_the_detail_page_publishes_the_replies(client, committee):
    p, actors = walk_to("replied", committee=committee)
    client.force_login(actors.staff)
    response = client.post(reverse("proposals:act", args=[p.pk, "set_public"]), {"set_public-value": "on"})
    assert response.status_code in (302, 303)
    p.refresh_from_db()
    assert p.is_public and Reply.objects.get(proposal=p).is_public
