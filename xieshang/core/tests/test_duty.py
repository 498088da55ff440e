"""The duty ledger (core.duty) and the facts proposals write in it (proposals.duty, through the services)."""

import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from xieshang.core import clock, duty
from xieshang.core.models import DutyFact
from xieshang.core.tests.factories import HandlingUnitFactory, MemberFactory
from xieshang.proposals import services
from xieshang.proposals.duty import COSIGNER, EXCELLENT, KEY, LEAD
from xieshang.proposals.tests.factories import make_actors, make_committee, make_member, walk_to

pytestmark = pytest.mark.django_db

act = services.proposal_act


def _facts(proposal):
    """{(member id, kind): (authors, lead, occurred_on)} of one proposal."""
    return {(f.member_id, f.kind): (f.authors, f.lead, f.occurred_on) for f in duty.duty_facts_of_object(proposal)}


# --- The ledger itself ------------------------------------------------------------------------------------


def test_recording_twice_updates_the_one_row_and_keeps_the_note():
    committee = make_committee()
    member = MemberFactory(committee=committee)
    fact = duty.duty_fact_record(member=member, kind=LEAD, obj=committee, occurred_on=datetime.date(2024, 3, 1))
    DutyFact.objects.filter(pk=fact.pk).update(note="补录说明")
    again = duty.duty_fact_record(member=member, kind=LEAD, obj=committee, occurred_on=datetime.date(2024, 3, 2),
                                  quantity=Decimal("1.5"), authors=3, lead=False)
    assert again.pk == fact.pk and DutyFact.objects.count() == 1
    row = DutyFact.objects.get()
    assert (row.occurred_on, row.quantity, row.authors, row.lead) == (datetime.date(2024, 3, 2), Decimal("1.50"), 3, False)
    assert row.note == "补录说明" and row.committee_id == committee.pk and row.target == committee
    # another kind or another member is another fact
    duty.duty_fact_record(member=member, kind=COSIGNER, obj=committee, occurred_on=datetime.date(2024, 3, 2))
    assert DutyFact.objects.count() == 2


def test_only_declared_kinds_and_sane_values_are_recorded():
    committee = make_committee()
    member = MemberFactory(committee=committee)
    with pytest.raises(ValueError):
        duty.duty_fact_record(member=member, kind="nobody.declared.this", obj=committee, occurred_on=clock.today())
    with pytest.raises(ValueError):
        duty.duty_fact_record(member=member, kind=LEAD, obj=committee, occurred_on=clock.today(), authors=0)
    assert not DutyFact.objects.exists()
    assert duty.kind_label(LEAD) and duty.kind_label("gone.kind") == "gone.kind"


def test_remove_takes_exactly_one_fact():
    committee = make_committee()
    one, two = MemberFactory(committee=committee), MemberFactory(committee=committee)
    for member in (one, two):
        duty.duty_fact_record(member=member, kind=KEY, obj=committee, occurred_on=clock.today())
    assert duty.duty_fact_remove(member=one, kind=KEY, obj=committee) == 1
    assert duty.duty_fact_remove(member=one, kind=KEY, obj=committee) == 0
    assert list(DutyFact.objects.values_list("member_id", flat=True)) == [two.pk]


def test_many_at_once_writes_what_one_at_a_time_writes_and_replaces_the_members_facts():
    committee = make_committee()
    one, two, three = (MemberFactory(committee=committee) for _ in range(3))
    day = datetime.date(2024, 3, 1)
    duty.duty_fact_record(member=one, kind=KEY, obj=committee, occurred_on=day)  # replaced: one is named below
    duty.duty_fact_record(member=three, kind=KEY, obj=committee, occurred_on=day)  # kept: three is not
    duty.duty_fact_record(member=one, kind=LEAD, obj=committee, occurred_on=day)  # kept: another kind
    written = duty.duty_facts_record_many(obj=committee, kinds=[KEY, COSIGNER], facts=[
        (one.pk, COSIGNER, 2, day), (two.pk, KEY, 1, datetime.datetime(2024, 3, 2, 9, 0)), (three.pk, KEY, 0, day)])
    assert written == 2
    facts = {(f.member_id, f.kind): (f.quantity, f.occurred_on, f.authors, f.lead, f.committee_id)
             for f in DutyFact.objects.all()}
    assert facts == {
        (one.pk, COSIGNER): (Decimal("2.00"), day, 1, True, committee.pk),
        (one.pk, LEAD): (Decimal("1.00"), day, 1, True, committee.pk),
        (two.pk, KEY): (Decimal("1.00"), datetime.date(2024, 3, 2), 1, True, committee.pk),
    }  # three's KEY went: quantity 0 records nothing and replaces what was there
    with pytest.raises(ValueError):
        duty.duty_facts_record_many(obj=committee, kinds=[KEY], facts=[(one.pk, LEAD, 1, day)])
    with pytest.raises(ValueError):
        duty.duty_facts_record_many(obj=committee, kinds=["nobody.declared.this"], facts=[])
    assert DutyFact.objects.count() == 3


def test_facts_per_year_and_only_the_users_own():
    committee, other_committee = make_committee(), make_committee()
    user = make_member(committee)
    member = user.memberships.get()
    elsewhere = MemberFactory(committee=other_committee, user=user)  # the same person in another committee
    stranger = MemberFactory(committee=committee)
    days = [datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), datetime.date(2025, 6, 1)]
    objects = [MemberFactory(committee=committee) for _ in days]  # any saved rows serve as objects
    for day, obj in zip(days, objects, strict=True):
        duty.duty_fact_record(member=member, kind=LEAD, obj=obj, occurred_on=day)
        duty.duty_fact_record(member=stranger, kind=LEAD, obj=obj, occurred_on=day)
    duty.duty_fact_record(member=elsewhere, kind=LEAD, obj=objects[0], occurred_on=datetime.date(2024, 5, 5))

    assert [f.occurred_on for f in duty.duty_facts_of(member, 2024)] == [days[1], days[0]]
    assert [f.occurred_on for f in duty.duty_facts_of(member)] == [days[2], days[1], days[0]]
    assert duty.duty_facts_of(member, 2023).count() == 0
    mine = duty.duty_facts_of_user(user, year=2024)
    assert {f.member_id for f in mine} == {member.pk, elsewhere.pk} and mine.count() == 3
    assert {f.member_id for f in duty.duty_facts_of_user(user, committee=committee)} == {member.pk}
    assert duty.duty_facts_of_user(user, committee=other_committee, year=2025).count() == 0
    from django.contrib.auth.models import AnonymousUser

    assert duty.duty_facts_of_user(AnonymousUser()).count() == 0


# --- What proposals write ---------------------------------------------------------------------------------


def test_registration_credits_the_proposers_not_the_staff():
    clock.set_to(datetime.date(2026, 3, 10))
    proposal, actors = walk_to("submitted")  # one co-signer signed
    MemberFactory(committee=actors.committee, user=actors.staff)  # the registering staff is a member too
    assert not DutyFact.objects.exists()  # submitting or co-signing alone earns nothing yet
    proposal = act(actor=actors.staff, proposal=proposal, action="register")
    lead, cosigner = actors.member, actors.cosigner.memberships.get()
    day = clock.today()
    assert _facts(proposal) == {(lead.pk, LEAD): (2, True, day), (cosigner.pk, COSIGNER): (2, False, day)}
    assert not DutyFact.objects.filter(member__user=actors.staff).exists()
    assert {f.committee_id for f in DutyFact.objects.all()} == {actors.committee.pk}


def test_a_declined_or_unanswered_invitation_earns_nothing():
    actors = make_actors()
    declined = make_member(actors.committee)
    p = services.proposal_create(actor=actors.proposer, committee=actors.committee, title="关于社区养老的提案", body="建议……")
    members = [actors.cosigner.memberships.get().pk, declined.memberships.get().pk]
    p = act(actor=actors.proposer, proposal=p, action="invite_cosigners", data={"members": members})
    p = act(actor=actors.proposer, proposal=p, action="submit")
    p = act(actor=declined, proposal=p, action="decline_cosign")
    p = act(actor=actors.proposer, proposal=p, action="close_cosigning")  # the co-signer never answered
    p = act(actor=actors.staff, proposal=p, action="register")
    assert _facts(p) == {(actors.member.pk, LEAD): (1, True, clock.today())}


def test_key_at_registration_and_later_marking_and_unmarking():
    proposal, actors = walk_to("submitted")
    lead, cosigner = actors.member, actors.cosigner.memberships.get()
    proposal = act(actor=actors.staff, proposal=proposal, action="register", data={"is_key": True})
    assert _facts(proposal)[(lead.pk, KEY)][:2] == (2, True)
    assert _facts(proposal)[(cosigner.pk, KEY)][:2] == (2, False)

    proposal = act(actor=actors.staff, proposal=proposal, action="mark_key", data={"is_key": False})
    assert {kind for _m, kind in _facts(proposal)} == {LEAD, COSIGNER}
    clock.set_to(datetime.date(2026, 5, 4))
    proposal = act(actor=actors.staff, proposal=proposal, action="mark_key",
                   data={"is_key": True, "leader": actors.leader.pk})
    assert _facts(proposal)[(lead.pk, KEY)] == (2, True, datetime.date(2026, 5, 4))
    assert _facts(proposal)[(cosigner.pk, KEY)] == (2, False, datetime.date(2026, 5, 4))
    assert not DutyFact.objects.filter(member__user__in=[actors.staff, actors.leader]).exists()


def test_excellent_is_credited_and_taken_back():
    proposal, actors = walk_to("replied")
    proposal = act(actor=actors.staff, proposal=proposal, action="mark_excellent", data={"value": True})
    facts = _facts(proposal)
    assert facts[(actors.member.pk, EXCELLENT)][:2] == (2, True)
    assert facts[(actors.cosigner.memberships.get().pk, EXCELLENT)][:2] == (2, False)
    proposal = act(actor=actors.staff, proposal=proposal, action="mark_excellent", data={"value": False})
    assert EXCELLENT not in {kind for _m, kind in _facts(proposal)}
    assert len(_facts(proposal)) == 2  # lead and co-signer stay


def test_withdrawn_rejected_and_converted_proposals_credit_nobody():
    withdrawn, _ = walk_to("withdrawn")
    rejected, _ = walk_to("rejected")
    assert not DutyFact.objects.exists()
    registered, actors = walk_to("registered")
    assert len(_facts(registered)) == 2
    act(actor=actors.staff, proposal=registered, action="convert", data={"to": "opinion_report"})
    assert _facts(registered) == {}


def test_an_organisations_proposal_credits_no_member():
    from xieshang.core.tests.factories import OrganizationFactory, grant

    actors = make_actors()
    org = OrganizationFactory(committee=actors.committee)
    grant(actors.staff, actors.committee, "member")
    p = services.proposal_create(actor=actors.staff, committee=actors.committee, title="关于民营经济的提案",
                                 body="建议……", proposer_kind="organization", organization=org)
    p = act(actor=actors.staff, proposal=p, action="submit")
    p = act(actor=actors.staff, proposal=p, action="register")
    assert p.state == "registered" and not DutyFact.objects.exists()


def test_the_migration_backfills_what_the_services_would_have_written():
    proposal, actors = walk_to("replied")
    proposal = act(actor=actors.staff, proposal=proposal, action="mark_excellent", data={"value": True})
    proposal = act(actor=actors.staff, proposal=proposal, action="mark_key", data={"is_key": True})
    converted, _ = walk_to("registered", actors=actors, cosign=False, title="后来转为社情民意的提案")
    act(actor=actors.staff, proposal=converted, action="convert", data={"to": "opinion_report"})
    written = {(f.member_id, f.kind, f.object_id, f.authors, f.lead) for f in DutyFact.objects.all()}
    DutyFact.objects.all().delete()

    migration = importlib.import_module("xieshang.proposals.migrations.0008_duty_facts")
    migration.backfill_duty_facts(django_apps, None)
    migration.backfill_duty_facts(django_apps, None)  # idempotent
    backfilled = {(f.member_id, f.kind, f.object_id, f.authors, f.lead) for f in DutyFact.objects.all()}
    assert backfilled == written and len(written) == 6  # lead, co-signer × (registered, key, excellent)

    # the same for the demo's bulk years and imports (proposals.duty.backfill)
    DutyFact.objects.all().delete()
    from xieshang.proposals import duty as proposal_duty
    from xieshang.proposals.models import Proposal

    assert proposal_duty.backfill(Proposal.objects.all()) == 1  # the converted one credits nobody
    assert {(f.member_id, f.kind, f.object_id, f.authors, f.lead) for f in DutyFact.objects.all()} == written


def test_imported_past_proposals_credit_their_member_proposers(committee, make_user):
    from xieshang.core.tests.factories import OrganizationFactory
    from xieshang.proposals.services import proposals_import
    from xieshang.proposals.tests.test_imports import GOOD_ROWS, xlsx  # the rows of the import's own tests
    from xieshang.reports.tests import builders

    staff = make_user(committee, "staff")
    builders.member(committee, "张三")
    builders.member(committee, "李四")
    OrganizationFactory(committee=committee, name="民革昌吉州委员会")
    for name in ("州教育局", "州财政局", "州人力资源和社会保障局"):
        HandlingUnitFactory(committee=committee, name=name, short_name=name[1:] if name == "州教育局" else "")
    result = proposals_import(actor=staff, committee=committee, file=xlsx(GOOD_ROWS))
    assert result.ok and result.created == 5
    facts = {(f.member.name, f.target.title, f.kind, f.authors, f.lead, f.occurred_on.year)
             for f in DutyFact.objects.select_related("member")}
    # four member proposals (the party's credits nobody), each registered on its session's opening day
    assert facts == {
        ("张三", "关于加强职业教育的建议", LEAD, 1, True, 2024),
        ("李四", "关于优化营商环境的建议", LEAD, 1, True, 2024),
        ("张三", "关于改善农村学校办学条件的建议", LEAD, 1, True, 2024),
        ("李四", "关于加快数字农业发展的建议", LEAD, 1, True, 2025),
    }
    assert not DutyFact.objects.filter(member__user=staff).exists()
