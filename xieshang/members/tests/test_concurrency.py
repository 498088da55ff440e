"""Two editors save the rules of one year at the same moment: one wins, the other is told (409).

Threads need real concurrent connections with row locks: PostgreSQL only (DATABASE_URL=postgres://…); on
SQLite test_services covers the same rule sequentially (a stale version is a Conflict)."""

import pytest

from xieshang.core.errors import Conflict
from xieshang.core.models import Event
from xieshang.core.tests.concurrency import postgres_only, run_together
from xieshang.core.tests.factories import CommitteeFactory
from xieshang.members import services
from xieshang.members.models import DutyRuleSet

from .factories import make_people
from .tables import TABLE_SEVENTY, TABLE_ZERO


def _save_both(people, version):
    documents = [TABLE_ZERO, TABLE_SEVENTY]
    actors = [people.staff, people.admin]
    return run_together(2, lambda i: services.duty_rules_put(actor=actors[i], committee=people.committee, year=2026,
                                                             document=documents[i], version=version))


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", [True, False], ids=["first version", "an edit"])
def test_two_editors_at_once_one_wins(first):
    people = make_people(CommitteeFactory())
    if not first:
        services.duty_rules_put(actor=people.staff, committee=people.committee, year=2026, document=TABLE_ZERO,
                                version=0)
    results = _save_both(people, 0 if first else 1)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict), results
    winner = next(r for r in results if not isinstance(r, Exception))
    row = DutyRuleSet.objects.get()
    assert row.version == (1 if first else 2) and row.document == winner.document
    assert Event.objects.filter(action="duty_rules.put").count() == (1 if first else 2)
