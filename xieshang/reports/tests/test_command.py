"""`xieshang stats proposals …`: the same figures as the page, as a table or JSON."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def test_json_output(year_2024):
    data = json.loads(_run("proposals", "--committee", "changji", "--year", "2024", "--json"))
    assert {"received", "registered", "replied", "reply_rate", "satisfaction_rate"} <= set(data)
    assert (data["received"], data["registered"], data["replied"]) == (15, 9, 5)
    assert data["reply_rate"] == pytest.approx(0.5556, abs=1e-4)
    assert data["reply_rate_display"] == "55.6%"
    assert data["satisfaction_rate"] == pytest.approx(0.8)
    assert [u["unit"] for u in data["by_unit"]] == ["州教育局", "州住房和城乡建设局"]


def test_json_for_one_session(year_2024):
    session = year_2024["session"]
    data = json.loads(_run("proposals", "--committee", "changji", "--session", str(session.pk), "--json"))
    assert data["session"] == session.pk and data["registered"] == 9


def test_json_when_nothing_to_divide(year_2024):
    data = json.loads(_run("proposals", "--committee", "changji", "--year", "2023", "--json"))
    assert data["received"] == 0 and data["reply_rate"] is None and data["satisfaction_rate"] is None


def test_table_output(year_2024):
    text = _run("proposals", "--committee", "changji", "--year", "2024")
    assert "昌吉回族自治州政协" in text
    assert "55.6%" in text and "80%" in text
    assert "州教育局" in text


@pytest.mark.parametrize("args", [
    ("proposals", "--committee", "nowhere"),
    ("proposals", "--committee", "changji", "--session", "999999"),
])
def test_errors(year_2024, args):
    with pytest.raises(CommandError):
        call_command("stats", *args, stdout=StringIO())


def test_session_of_another_committee_is_refused(year_2024):
    from xieshang.core.models import Session

    other = Session.objects.get(term__committee__code="hami")
    with pytest.raises(CommandError):
        call_command("stats", "proposals", "--committee", "changji", "--session", str(other.pk), stdout=StringIO())
