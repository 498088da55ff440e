"""The probe, part (a): property-based fuzzing of every operation of the OpenAPI schema with schemathesis,
as every role (a bearer token each; anonymous without). No answer may be a 5xx, and every answer must match
the schema (status documented, content type, body shape).

Bounded: `XIESHANG_PROBE_EXAMPLES` generated requests per operation and role (3 by default, 8 under CI=true: about 1,900 requests a run).
The total is printed (`-s`) and written to the data directory's probe-fuzz.json for docs/security.md.
"""

import json
import os
import time

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, Phase, given, settings as hsettings, strategies as st
from schemathesis.specs.openapi import checks as oa_checks

from xieshang.core.tests.probe import ROLES, build_world, probe_examples

from .conftest import issue_token

pytestmark = pytest.mark.django_db

CHECKS = [
    schemathesis.checks.not_a_server_error,
    oa_checks.status_code_conformance,
    oa_checks.content_type_conformance,
    oa_checks.response_schema_conformance,
]
# Sign-in is fuzzed without a token; it counts failed attempts (lock-out), so it runs last per role.
SKIP = {("DELETE", "/api/v1/auth/token")}  # would revoke the token the other requests of the role carry


@pytest.fixture
def world(committee):
    return build_world(committee)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """schemathesis calls the WSGI handler itself, whose request signals close the database connection (on
    PostgreSQL that ends the test's transaction); Django's test Client disconnects them the same way."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _schema():
    from xieshang.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


def _known_ids(world):
    ids = {"id": sorted({o.pk for o in world.objects.values()})}
    from xieshang.proposals.models import Reply

    ids["reply_id"] = list(Reply.objects.values_list("pk", flat=True)) or [1]
    return ids


@pytest.mark.parametrize("role", ROLES)
def test_fuzz_every_operation_as_every_role(world, role, settings, capsys):
    settings.XIESHANG_LOCKOUT_FAILURES = 10**6  # the fuzzer signs in wrongly often; lock-out is tested elsewhere
    schema = _schema()
    user = world.user(role)
    headers = {"Authorization": f"Bearer {issue_token(user)}"} if user else {}
    known = _known_ids(world)
    examples = probe_examples()
    stats = {"requests": 0, "5xx": 0, "by_status": {}}
    failures = []
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIP or (operation.path.endswith("/auth/token") and user):
            continue

        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

        @given(case=strategy, pick=st.data())
        @hsettings(max_examples=examples, deadline=None, database=None, derandomize=False,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case, pick):
            for name, values in known.items():  # half the time, an object that exists (else a random id)
                if name in (case.path_parameters or {}) and pick.draw(st.booleans()):
                    case.path_parameters[name] = pick.draw(st.sampled_from(values))
            response = case.call(headers={**headers, "Accept-Language": "zh-hans"})
            stats["requests"] += 1
            stats["by_status"][response.status_code] = stats["by_status"].get(response.status_code, 0) + 1
            if response.status_code >= 500:
                stats["5xx"] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except BaseException as exc:  # noqa: BLE001 — collected (schemathesis raises a group), reported below
                failures.append(f"{role} {case.method} {case.formatted_path} → {response.status_code}: "
                                f"{_summary(exc)}\n  {case.as_curl_command()[:400]}")

        run()
    stats["seconds"] = round(time.monotonic() - started, 1)
    _record(role, stats)
    with capsys.disabled():
        print(f"\nprobe fuzz [{role}]: {stats['requests']} requests, {stats['5xx']} 5xx, "
              f"statuses {dict(sorted(stats['by_status'].items()))}, {stats['seconds']} s")
    assert stats["requests"] >= examples
    assert not failures, f"{len(failures)} answers break the schema or fail:\n" + "\n".join(failures[:20])


def _summary(exc) -> str:
    """The failure's names and what was received (schemathesis's message without its long tail)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return " | ".join(line for line in lines if not line.startswith(("curl ", "Reproduce")))[:600]


def _record(role, stats):
    from django.conf import settings as django_settings

    path = os.path.join(str(django_settings.DATA_DIR), "probe-fuzz.json")
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {}
    data[role] = stats
    try:
        with open(path, "w") as f:
            json.dump(data, f, indent=1, default=str)
    except OSError:
        pass
