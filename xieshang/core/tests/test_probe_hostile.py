"""The probe, part (c): hostile input through every app's creating services, then through its pages, API
and exports.

Each app declares its creating services in `tests/probe_cases.py` as `CREATORS`: `Creator(name, create,
pages)` — `create(world, text)` makes one object through a service with `text` in its free-text fields (as
the world's member, staff …) and `pages(world, obj)` gives the (role, URL, kind) to read it back ("html",
"json", "xlsx"). Every creator × every payload (script tags, quotes, template syntax, control characters,
a formula "=cmd|…", a lone surrogate, huge text) must either create the object or be refused with a clear
service error (never another exception: no 500); what was created must come back on every page as text —
escaped in HTML, never a formula in Excel — with status 200.
"""

from __future__ import annotations

import io

import pytest
from django.db import transaction
from django.test import Client

from xieshang.core.errors import ServiceError

from .probe import build_world, declared_cases
from .test_hostile_text import _html_problems

pytestmark = pytest.mark.django_db

PAYLOADS = {
    "script": "<script>alert(1)</script>标题",
    "attribute": "\"'><img src=x onerror=alert(1)>建议",
    "template": "{{ 7*7 }}{% now %}意见",
    "control": "控制\x00字符\x07\x1b[31m\u202e反转\x7f",
    "formula": "=cmd|' /C calc'!A0",
    "formula_plus": "+SUM(1,2)@A1",
    "surrogate": "孤立\ud800代理",
    "huge": "关于优化营商环境的建议。" * 10000,  # 120,000 characters
    "newlines": "第一行\r\n第二行\r第三行\n",
}


def _creators():
    return [c for module in declared_cases().values() for c in getattr(module, "CREATORS", [])]


def _workbook_problems(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    problems = []
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    problems.append(f"a formula in {sheet.title}!{cell.coordinate}: {str(cell.value)[:40]!r}")
    return problems


def test_every_app_declares_creators():
    names = {c.name.split(".")[0] for c in _creators()}
    assert {"proposals", "opinions"} <= names


@pytest.mark.parametrize("payload", sorted(PAYLOADS))
def test_hostile_input_through_every_creating_service(committee, payload, capsys):
    world = build_world(committee)
    text = PAYLOADS[payload]
    clients = {}
    failures, created, refused, reads = [], 0, 0, 0
    for creator in _creators():
        try:
            with transaction.atomic():
                obj = creator.create(world, text)
        except ServiceError:
            refused += 1  # a clear refusal (422 on the API, a message beside the field on a page)
            continue
        except Exception as exc:  # noqa: BLE001 - anything else would be a 500
            failures.append(f"{creator.name}: {exc.__class__.__name__}: {str(exc)[:200]}")
            continue
        created += 1
        for role, url, kind in creator.pages(world, obj):
            if role not in clients:
                clients[role] = Client(raise_request_exception=False)
                clients[role].force_login(world.user(role))
            response = clients[role].get(url)
            reads += 1
            if response.status_code != 200:
                failures.append(f"{creator.name} {url} as {role}: status {response.status_code}")
                continue
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if kind == "html":
                problems = _html_problems(body.decode(), [])
            elif kind == "xlsx":
                problems = _workbook_problems(body)
            else:
                problems = []
            failures.extend(f"{creator.name} {url} as {role}: {p}" for p in problems)
    with capsys.disabled():
        print(f"\nprobe hostile [{payload}]: {created} created, {refused} refused, {reads} pages read, "
              f"{len(failures)} failures")
    assert not failures, "\n".join(failures)
