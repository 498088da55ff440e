"""The audit table is append-only (model, queryset, raw SQL) and gives each object's timeline."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from xieshang.core import audit
from xieshang.core.models import Event
from xieshang.core.tests.factories import HandlingUnitFactory, UserFactory


@pytest.fixture
def protected(db):
    """The suite lets its connections empty the audit table between tests (conftest); these tests
    prove the protection the application runs with, so they turn that switch off."""
    audit.allow_purge(connection, False)
    yield
    audit.allow_purge(connection, True)


@pytest.fixture
def event(committee, protected):
    actor = UserFactory()
    return audit.record(actor=actor, action="proposal.submit", obj=committee, from_state="draft", to_state="submitted")


def unchanged(event) -> bool:
    row = Event.objects.get(pk=event.pk)
    return (row.action, row.to_state, row.payload) == (event.action, event.to_state, event.payload)


# --- Append-only ----------------------------------------------------------------------


def test_an_event_cannot_be_saved_again_or_deleted(event):
    event.action = "proposal.withdraw"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    event.action = "proposal.submit"
    assert unchanged(event)


def test_the_queryset_refuses_updates_and_deletes(event):
    with pytest.raises(PermissionDenied):
        Event.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(PermissionDenied):
        Event.objects.update(action="x")
    with pytest.raises(PermissionDenied):
        Event.objects.filter(pk=event.pk).delete()
    with pytest.raises(PermissionDenied):
        Event.objects.all().delete()
    event.to_state = "x"
    with pytest.raises(PermissionDenied), transaction.atomic():
        Event.objects.bulk_update([event], ["to_state"])
    with pytest.raises(PermissionDenied), transaction.atomic():
        Event.objects.update_or_create(pk=event.pk, defaults={"action": "x"})
    event.to_state = "submitted"
    assert unchanged(event)


def raw_statements():
    statements = [
        "UPDATE core_event SET action = 'tampered' WHERE id = %s",
        "UPDATE core_event SET payload = '{}', created_at = created_at WHERE id = %s",
        "DELETE FROM core_event WHERE id = %s",
    ]
    return statements


@pytest.mark.parametrize("sql", raw_statements(), ids=["update", "update-other-columns", "delete"])
def test_the_database_refuses_raw_sql(event, sql):
    assert connection.vendor in ("sqlite", "postgresql")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert unchanged(event)


def test_the_database_refuses_emptying_the_table(event):
    statements = ["DELETE FROM core_event"]
    if connection.vendor == "postgresql":
        # Run the deferred foreign-key checks of the insert first: PostgreSQL refuses to truncate
        # a table with pending trigger events before it asks our trigger.
        statements.append("SET CONSTRAINTS ALL IMMEDIATE; TRUNCATE core_event CASCADE")
    for sql in statements:
        with pytest.raises(DatabaseError, match="append-only"):
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in sql.split("; "):
                    cursor.execute(statement)
    assert Event.objects.filter(pk=event.pk).exists()


def test_inserting_stays_possible(event):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_event (created_at, action, object_id, object_repr, from_state, to_state, payload)"
            " VALUES (%s, 'raw.insert', '', '', '', '', '{}')",
            [timezone.now()],
        )
    assert Event.objects.filter(action="raw.insert").count() == 1


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_table_and_leaves_it_protected():
    """The test runner empties the database after transactional tests (browser, live server) with the
    purge switch on; with it off, the same connection is refused again."""
    audit.record(actor=None, action="before.flush")
    call_command("flush", interactive=False, verbosity=0)
    assert not Event.objects.exists()
    after = audit.record(actor=None, action="after.flush")
    audit.allow_purge(connection, False)
    try:
        _refused(after)
    finally:
        audit.allow_purge(connection, True)


def _refused(after):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM core_event WHERE id = %s", [after.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE core_event SET action = 'x' WHERE id = %s", [after.pk])
    assert Event.objects.get(pk=after.pk).action == "after.flush"


# --- Recording ----------------------------------------------------------------------------


def test_record_fills_in_committee_actor_and_address(committee):
    unit = HandlingUnitFactory(committee=committee, name="州教育局")
    actor = UserFactory()
    request = RequestFactory().post("/", REMOTE_ADDR="10.1.2.3")
    event = audit.record(actor=actor, action="unit.rename", obj=unit, payload={"old": "教育局"}, request=request)
    event.refresh_from_db()
    assert event.committee == committee  # taken from the object
    assert event.actor == actor
    assert event.object_repr == "州教育局"
    assert event.object_id == str(unit.pk)
    assert event.target == unit
    assert event.ip_address == "10.1.2.3"
    assert event.payload == {"old": "教育局"}

    from django.contrib.auth.models import AnonymousUser

    anonymous = audit.record(actor=AnonymousUser(), action="portal.visit")
    assert anonymous.actor is None and anonymous.committee is None and anonymous.object_id == ""


# --- Timeline ------------------------------------------------------------------------------


def test_timeline_returns_one_objects_events_in_order(committee, monkeypatch, django_assert_num_queries):
    unit = HandlingUnitFactory(committee=committee)
    other = HandlingUnitFactory(committee=committee)
    staff, leader = UserFactory(full_name="王干事"), UserFactory(full_name="李主席")
    t0 = timezone.now()
    clock = [t0 + datetime.timedelta(minutes=5)]
    monkeypatch.setattr(timezone, "now", lambda: clock[0])
    # Written out of order: the second event of the unit carries the same time as the first.
    second = audit.record(actor=leader, action="a.second", obj=unit)
    first = audit.record(actor=staff, action="a.first", obj=unit, to_state="registered")
    audit.record(actor=staff, action="a.other", obj=other)
    clock[0] = t0 + datetime.timedelta(hours=1)
    third = audit.record(actor=None, action="a.third", obj=unit, from_state="registered", to_state="assigned")
    clock[0] = t0
    zeroth = audit.record(actor=staff, action="a.zeroth", obj=unit)
    monkeypatch.undo()

    with django_assert_num_queries(1):  # actors come with the events
        events = list(audit.timeline(unit))
        names = [e.actor.display_name if e.actor else None for e in events]
    # By time; events of the same moment in the order they were written.
    assert [e.pk for e in events] == [zeroth.pk, second.pk, first.pk, third.pk]
    assert names == ["王干事", "李主席", "王干事", None]
    assert [e.action for e in audit.timeline(other)] == ["a.other"]
    assert list(audit.timeline(committee)) == []


def test_timeline_template_tag_renders_the_events(committee):
    unit = HandlingUnitFactory(committee=committee)
    audit.record(actor=UserFactory(full_name="王干事"), action="unit.created", obj=unit)
    audit.record(actor=None, action="unit.merged", obj=unit, from_state="active", to_state="merged")
    html = Template("{% load xieshang %}{% timeline events %}").render(Context({"events": audit.timeline(unit)}))
    assert html.index('data-action="unit.created"') < html.index('data-action="unit.merged"')
    assert "王干事" in html
    assert "active → merged" in html
    empty = Template("{% load xieshang %}{% timeline events %}").render(Context({"events": []}))
    assert 'class="empty"' in empty


def test_the_timeline_names_states_as_the_machine_that_recorded_them(committee):
    """A state recorded by a Machine is shown by the Machine's name for it (the page's language), not its code;
    events of no Machine keep their codes, and a label the app set itself stays."""
    from xieshang.core.models import HandlingUnit
    from xieshang.core.workflow import Machine, Transition

    names = {"active": "在用", "merged": "已合并"}
    Machine(name="unitflow", model=HandlingUnit, transitions=[Transition("merge", {"active"}, "merged", {"staff"}, "merge")],
            relations=lambda user, obj: set(), can_see=lambda user, obj: True, state_label=names.get)
    unit = HandlingUnitFactory(committee=committee)
    audit.record(actor=None, action="unitflow.merge", obj=unit, from_state="active", to_state="merged")
    audit.record(actor=None, action="other.merge", obj=unit, from_state="active", to_state="merged")
    labelled = audit.timeline(unit).filter(action="unitflow.merge").first()
    labelled.to_label = "由应用命名"
    render = lambda events: Template("{% load xieshang %}{% timeline events %}").render(  # noqa: E731
        Context({"events": events}))
    html = render(audit.timeline(unit))
    assert "在用 → 已合并" in html and "active → merged" in html  # the Machine's names; no Machine: the codes
    assert "在用 → 由应用命名" in render([labelled])
