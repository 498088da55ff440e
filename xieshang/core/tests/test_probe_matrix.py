"""The probe, part (b): the access matrix, generated from every app's declarations.

Every page URL pattern and every API GET path × every role (member, staff, handling-unit user, leader,
administrator, anonymous) × the objects of the probe's world (own, assigned, hidden, public) must answer the
status its app declares in `<app>/tests/probe_cases.py` (`PAGES`, `API`; see core/tests/probe.py). A URL
pattern or API path nobody declares fails `test_every_page_is_declared` / `test_every_api_path_is_declared`, so
a new app (or a new page) joins the matrix by adding its rows.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .probe import ROLES, build_world, declared_cases

pytestmark = pytest.mark.django_db

SKIP_NAMESPACES = ("api", "admin", "djdt")
# URL patterns that are not pages of an app: the language switch, translations for scripts, the favicon.
NOT_PAGES = {"set_language", "javascript-catalog"}


def page_routes():
    """(name, route, converters) of every page URL pattern (not the API's, not Django's own admin)."""

    def walk(resolver, prefix="", ns=""):
        for p in resolver.url_patterns:
            if isinstance(p, URLResolver):
                if p.namespace in SKIP_NAMESPACES or str(p.pattern).startswith(("django-admin", "api/")):
                    continue
                yield from walk(p, prefix + str(p.pattern), ns + (p.namespace + ":" if p.namespace else ""))
            elif isinstance(p, URLPattern) and p.name:
                yield ns + p.name, prefix + str(p.pattern), sorted(p.pattern.converters)

    return [row for row in walk(get_resolver()) if row[0] not in NOT_PAGES]


def _pages():
    return [page for module in declared_cases().values() for page in getattr(module, "PAGES", [])]


def _endpoints():
    return [e for module in declared_cases().values() for e in getattr(module, "API", [])]


def test_every_page_is_declared():
    declared = {page.name for page in _pages()}
    missing = sorted(name for name, _route, _conv in page_routes() if name not in declared)
    assert not missing, ("pages without a row in their app's tests/probe_cases.py PAGES (who may open them?): "
                         + ", ".join(missing))


def test_every_api_path_is_declared():
    document = Client().get("/api/v1/openapi.json").json()
    gets = {path for path, ops in document["paths"].items() if "get" in ops}
    declared = {e.path for e in _endpoints()}
    missing = sorted(gets - declared - {"/api/v1/openapi.json"})
    assert not missing, "API GET paths without a row in their app's tests/probe_cases.py API: " + ", ".join(missing)


def _clients(world):
    clients = {}
    for role in ROLES:
        client = Client()
        if world.user(role) is not None:
            client.force_login(world.user(role))
        clients[role] = client
    return clients


def _url(page, world):
    kwargs = {}
    if page.obj:
        kwargs["pk"] = world.objects[page.obj].pk
    for key, value in page.args:
        kwargs[key] = world.objects[value[1:]].pk if isinstance(value, str) and value.startswith("@") else value
    return reverse(page.name, kwargs=kwargs)


def _check(cases, world, clients, getter):
    mismatches, count = [], 0
    for case in cases:
        url = getter(case, world)
        for role in ROLES:
            if getattr(case, "method", "get") == "post":
                if role in case.ok:
                    continue
                got = clients[role].post(url, {}).status_code
            else:
                got = clients[role].get(url).status_code
            count += 1
            if got != case.expected(role):
                mismatches.append(f"{case.label()} as {role}: {got}, declared {case.expected(role)} ({url})")
    return mismatches, count


@pytest.fixture
def world(committee):
    return build_world(committee)


def test_page_matrix(world, capsys):
    clients = _clients(world)
    mismatches, count = _check(_pages(), world, clients, _url)
    with capsys.disabled():
        print(f"\nprobe matrix: {count} page cases ({len(_pages())} rows × {len(ROLES)} roles), "
              f"{len(mismatches)} mismatches")
    assert not mismatches, "\n".join(mismatches)


def test_api_matrix(world, capsys):
    from xieshang.api.tests.conftest import ApiClient, issue_token

    clients = {role: ApiClient(issue_token(world.user(role)) if world.user(role) else None) for role in ROLES}

    class _Adapter:
        def __init__(self, api):
            self.api = api

        def get(self, url):
            return self.api.get(url)

    def path_of(endpoint, w):
        path = endpoint.path.replace("{id}", str(w.objects[endpoint.obj].pk)) if endpoint.obj else endpoint.path
        for key, value in endpoint.args:
            path = path.replace("{%s}" % key, str(w.objects[value[1:]].pk))
        return path

    mismatches, count = _check(_endpoints(), world, {r: _Adapter(c) for r, c in clients.items()}, path_of)
    with capsys.disabled():
        print(f"\nprobe matrix: {count} API cases ({len(_endpoints())} rows × {len(ROLES)} roles), "
              f"{len(mismatches)} mismatches")
    assert not mismatches, "\n".join(mismatches)
