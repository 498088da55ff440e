"""Reads of the API app that depend on who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from xieshang.core.models import HandlingUnit
from xieshang.core.selectors import committees_of

from .models import ApiToken


def handling_units_of(user, committee) -> QuerySet[HandlingUnit]:
    """The active handling units of a committee the user works in (none for any other committee)."""
    if committee is None or not committees_of(user).filter(pk=committee.pk).exists():
        return HandlingUnit.objects.none()
    return HandlingUnit.objects.filter(committee=committee, is_active=True).order_by("name", "id")


def tokens_of(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)
