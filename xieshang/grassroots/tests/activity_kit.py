"""What the activity, place and document screens' tests share: a signed-in client, the app's URLs, and the
queries of a page counted after a first, warming request."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def url(name, *args) -> str:
    return reverse(f"grassroots:{name}", args=args)


def count_queries(client, path, params=None):
    """(number of queries, response) of a GET of `path` once the caches are warm."""
    client.get(path, params or {})
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, params or {})
    assert response.status_code == 200, path
    return len(ctx.captured_queries), response
