"""What the permission matrices of the apps share (their test_permissions.py): the user and the API client of a
role in a world of the app's factories (`w.by_role(role)`), and a call's outcome as the matrices write it —
OK, or the status code of the refusal."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from xieshang.api.tests.conftest import ApiClient, issue_token
from xieshang.core.errors import ServiceError

OK = "ok"


def user_of(w, role):
    return AnonymousUser() if role == "anonymous" else w.by_role(role)


def client_of(w, role):
    """An API client with a token of the role (one token per user and world); anonymous: none."""
    user = w.by_role(role)
    if user is None:
        return ApiClient()
    cache = w.__dict__.setdefault("_tokens", {})
    if user.pk not in cache:
        cache[user.pk] = issue_token(user)
    return ApiClient(cache[user.pk])


def service_outcome(call):
    """OK when `call()` goes through, else the status of the ServiceError it raises."""
    try:
        call()
    except ServiceError as exc:
        return exc.status
    return OK


def api_outcome(response):
    """OK for a 200 or 201, else the response's status code."""
    return OK if response.status_code in (200, 201) else response.status_code
