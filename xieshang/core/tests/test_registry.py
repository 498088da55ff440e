"""Apps declare what they add (xieshang.core.registry) and core reads it: the menu, the workbench's to-dos, the
periodic jobs, the timers, the export kinds, the timeline's labels and the organisation-change handlers. A
fake app's declarations (registry.declarations patched) appear in every one of them, with no file of core
changed; the installed apps' own declarations are read the same way."""

import datetime
import re

import pytest
from django.shortcuts import render
from django.template import Context, Template
from django.urls import include, path
from django.utils import translation
from django.utils.translation import gettext_lazy

from xieshang.core import audit, exports, navigation, registry, scheduler, selectors, services, timers
from xieshang.core.models import Event, Export, Role, Sector
from xieshang.core.registry import Declarations, NavItem
from xieshang.core.scheduler import Job
from xieshang.core.timers import TimerDefault

CALLS: list = []


# --- The fake app ------------------------------------------------------------------------------------------


def fake_page(request):
    return render(request, "base.html")


def fake_todos(user, committee):
    return [{"label": "Fake things to check", "count": 3, "url": "/fake/", "urgent": True}]


def fake_job():
    CALLS.append("job")
    return "fake job ran"


def fake_writer(handle, *, user, committee, params):
    handle.write(b"fake rows")
    return 2


def fake_label(action: str):
    return {"fake.checked": gettext_lazy("checked the fake thing")}.get(action)


def fake_organisation_changed(obj, changes):
    CALLS.append(("organisation", obj.__class__.__name__, changes))


_HERE = "xieshang.core.tests.test_registry."
FAKE = Declarations(
    nav=(NavItem("Fake page", "fake:page", frozenset({Role.STAFF}), order=50),),
    todos=(_HERE + "fake_todos",),
    jobs=(Job("fake.job", _HERE + "fake_job", datetime.timedelta(minutes=5)),),
    timers={"fake.answer": TimerDefault(4, "working_days", "answer to a fake request")},
    export_kinds={"fake_list": exports.Kind("Fake list", _HERE + "fake_writer", "fake", suffix="txt",
                                            content_type="text/plain")},
    event_labels={"fake": _HERE + "fake_label"},
    organisation_changed=(_HERE + "fake_organisation_changed",),
)

# The project's pages plus the fake app's.
urlpatterns = [
    path("fake/", include(([path("", fake_page, name="page")], "fake"))),
    path("", include("xieshang.urls")),
]


@pytest.fixture
def fake_app(monkeypatch, settings):
    """The installed apps plus the fake one, and a URL configuration with the fake app's page."""
    real = registry.declarations()
    monkeypatch.setattr(registry, "declarations", lambda: (*real, FAKE))
    settings.ROOT_URLCONF = __name__
    CALLS.clear()
    return FAKE


def nav_links(client, url="/") -> list[str]:
    html = client.get(url).content.decode()
    nav = re.search(r'<nav class="mainnav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    return re.findall(r'<a href="([^"]+)"', nav)


# --- What the installed apps declare ---------------------------------------------------------------------------


def test_the_installed_apps_declare_their_part():
    names = [item.url_name for item in navigation.all_items()]
    assert names[0] == "core:home" and names[-3:] == ["core:exports", "core:categories", "core:admin_home"]
    assert names.index("proposals:mine") < names.index("reports:proposals") < names.index("core:exports")
    assert "xieshang.proposals.selectors.todos_for" in registry.todo_providers()
    assert "proposals.periodic" in [job.name for job in scheduler.jobs()]
    assert "core.prune_exports" in [job.name for job in scheduler.jobs()]
    reply = timers.defaults()["proposal.reply"]
    assert (reply.amount, reply.unit) == (3, "months")
    assert "consultation.notice" in timers.defaults()  # declared by the consultation app
    assert {"proposals", "proposals_api"} <= set(exports.kinds())
    assert registry.event_label_paths()["proposal"] == "xieshang.proposals.selectors.event_label"
    assert "xieshang.proposals.search.organisation_row_changed" in registry.organisation_changed_handlers()
    with translation.override("en"):
        assert audit.event_label("proposal.register") == "register"


def test_no_declarations_no_entries(monkeypatch):
    monkeypatch.setattr(registry, "declarations", lambda: ())
    assert [item.url_name for item in navigation.all_items()] == [
        "core:home", "core:exports", "core:categories", "core:admin_home"]
    assert registry.todo_providers() == [] and exports.kinds() == {}
    assert "proposal.reply" not in timers.defaults() and "proposals.periodic" not in [j.name for j in scheduler.jobs()]
    assert audit.event_label("proposal.register") is None


# --- A fake app's declarations appear everywhere --------------------------------------------------------------


@pytest.mark.django_db
def test_the_menu_shows_a_declared_entry_to_its_roles_in_its_place(fake_app, client, committee, make_user):
    client.force_login(make_user(committee, Role.STAFF))
    links = nav_links(client)
    assert links[:2] == ["/", "/fake/"]  # order 50: after the workbench, before the proposals
    assert links.index("/fake/") < links.index("/proposals/")
    html = client.get("/fake/").content.decode()
    assert '<a href="/fake/" aria-current="page">Fake page</a>' in html
    assert '<a href="/" aria-current' not in html
    client.force_login(make_user(committee, Role.MEMBER))
    assert "/fake/" not in nav_links(client)


@pytest.mark.django_db
def test_the_menu_skips_an_entry_whose_page_does_not_exist(fake_app, settings, client, committee, make_user):
    settings.ROOT_URLCONF = "xieshang.urls"  # the fake app's URLs not deployed
    client.force_login(make_user(committee, Role.STAFF))
    assert "/fake/" not in nav_links(client)


@pytest.mark.django_db
def test_the_workbench_shows_a_declared_to_do(fake_app, client, committee, make_user):
    staff = make_user(committee, Role.STAFF)
    assert fake_todos(staff, committee)[0] in selectors.todos_for(staff, committee)
    client.force_login(staff)
    assert "Fake things to check" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_scheduler_runs_a_declared_job(fake_app):
    assert "fake.job" in [job.name for job in scheduler.jobs()]
    assert scheduler.run_due(only=["fake.job"]) == [("fake.job", "done")]
    assert CALLS == ["job"]


@pytest.mark.django_db
def test_a_settings_schedule_still_replaces_the_declared_one(fake_app, settings):
    settings.XIESHANG_PERIODIC_JOBS = [Job("only.this", _HERE + "fake_job", datetime.timedelta(minutes=5))]
    assert [job.name for job in scheduler.jobs()] == ["only.this"]


@pytest.mark.django_db
def test_a_declared_timer_has_its_default_and_can_be_set(fake_app, client, committee, make_user):
    assert timers.timer(committee, "fake.answer") == (4, "working_days")
    admin = make_user(committee, Role.ADMIN)
    client.force_login(admin)
    assert "answer to a fake request" in client.get("/admin/timers/").content.decode()
    services.timer_set(actor=admin, committee=committee, key="fake.answer", amount=9, unit="days")
    assert timers.timer(committee, "fake.answer") == (9, "days")
    assert timers.deadline(committee, "fake.answer", datetime.date(2026, 3, 2)) == datetime.date(2026, 3, 11)


@pytest.mark.django_db
def test_a_declared_export_kind_is_written(fake_app, committee, make_user, django_capture_on_commit_callbacks):
    staff = make_user(committee, Role.STAFF)
    with django_capture_on_commit_callbacks(execute=True):
        export = services.export_request(actor=staff, committee=committee, kind="fake_list", params={})
    export.refresh_from_db()
    assert (export.state, export.row_count) == (Export.State.DONE, 2)
    assert exports.filename_of(export).startswith("fake-") and exports.filename_of(export).endswith(".txt")
    assert exports.content_type_of(export) == "text/plain"
    assert export.file.read() == b"fake rows"


@pytest.mark.django_db
def test_the_timeline_shows_a_declared_label(fake_app, committee, make_user):
    staff = make_user(committee, Role.STAFF)
    audit.record(actor=staff, action="fake.checked", obj=committee, committee=committee)
    audit.record(actor=staff, action="fake.unknown", obj=committee, committee=committee)
    assert audit.event_label("fake.checked") == "checked the fake thing"
    assert audit.event_label("fake.unknown") is None and audit.event_label("nobody.declares") is None
    html = Template("{% load xieshang %}{% timeline events %}").render(Context({"events": audit.timeline(committee)}))
    assert 'data-action="fake.checked">checked the fake thing<' in html
    assert 'data-action="fake.unknown">fake.unknown<' in html


@pytest.mark.django_db
def test_a_declared_handler_hears_of_a_changed_organisation_row(fake_app, committee, make_user):
    admin = make_user(committee, Role.ADMIN)
    sector = services.sector_save(actor=admin, committee=committee, name="农业界")
    assert CALLS == []  # a new row changes nothing derived
    services.sector_save(actor=admin, committee=committee, sector=sector, name="农业和农村界")
    assert CALLS == [("organisation", "Sector", {"name": ["农业界", "农业和农村界"]})]
    assert Sector.objects.get(pk=sector.pk).name == "农业和农村界"
    assert Event.objects.filter(action="sector.updated").exists()
