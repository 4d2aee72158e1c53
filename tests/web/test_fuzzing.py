"""Property-based fuzzing of every operation in /api/v1/openapi.json (schemathesis over
hypothesis): generated paths, queries and bodies, sent with a token of each role, on every
configured database. Fails on any 5xx and on any answer the document does not allow (a status it
does not list, another media type, a body that breaks its schema).

Examples per operation are few by default, to keep the suite quick; ICCC_FUZZ_EXAMPLES=200 runs a
deeper search (the first failure found is shrunk and printed as a reproducible case)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from coordination import Role
from tests.conftest import add_agency
from tests.web.conftest import bearer

pytestmark = [pytest.mark.database, pytest.mark.slow]

EXAMPLES = int(os.environ.get("ICCC_FUZZ_EXAMPLES", "3"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def tokens(store, clock, make_token, shipped_sops) -> dict[str, dict[str, str]]:
    """A token of every role (an agency's from a registered agency), and none."""
    _agency_id, agency_token, _secret = add_agency(store, clock, "fire-central", "fire")
    callers = {role.value: bearer(make_token(role, f"fuzz-{role.value}")) for role in Role if role is not Role.AGENCY}
    return {**callers, "agency": bearer(agency_token), "anonymous": {}}


def test_no_operation_answers_a_server_error_or_outside_its_document(app, tokens):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def fuzz(case) -> None:
            for headers in tokens.values():
                case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            fuzz()
        except Exception as error:  # noqa: BLE001 - every operation is tried; all failures are reported
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert operations >= 80
    assert not failures, "\n\n".join(failures)
