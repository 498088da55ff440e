"""The opinion report pages (written by the screens engineer). URL names the app relies on:
opinions:mine, opinions:list, opinions:approvals, opinions:commissions, opinions:detail (pk),
opinions:commission (pk), opinions:bulletin (pk)."""

from django.urls import path  # noqa: F401

app_name = "opinions"

urlpatterns: list = []
