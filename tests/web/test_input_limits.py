"""Input no database can store, and documents no parser should recurse through, are refused where
they enter (every path parameter, query, form and JSON body; every YAML document) with a 4xx
problem naming the field, on SQLite and on PostgreSQL alike: never a 500."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest

from coordination import Role
from coordination.input_limits import INTEGER_MAX, MAX_NESTING_DEPTH, MalformedJson, load_json, parse_json
from coordination.errors import InvalidInput
from tests.conftest import add_token
from tests.web.conftest import FIRE_REPORT, bearer
from tests.web.console_session import csrf_of

pytestmark = pytest.mark.database

TOO_BIG = str(INTEGER_MAX + 1)
SHIPPED_SOP = Path("sop_engine/library/urban-flood.yaml")
SHIPPED_RULE = Path("coordination/rules/library/panic-button.yaml")
_PATH_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")


@pytest.fixture
def admin_token(store, clock):
    return add_token(store, clock, Role.ADMINISTRATOR, "admin")


def assert_refused(response, field: str | None, *, status: int | None = None) -> dict:
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True))
    if status is not None:
        assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    if field is not None:
        assert body["field"] == field, body
    return body


def _api_rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/") and _PATH_PARAMETER.search(rule.rule)]


def _fill(rule, bad: dict[str, str]) -> str:
    def value(match):
        converter, name = match.groups()
        if name in bad:
            return bad[name]
        return str(uuid.uuid4()) if converter == "uuid" else ("1" if converter == "int" else "x")
    return _PATH_PARAMETER.sub(value, rule.rule)


def test_every_integer_path_parameter_beyond_the_database_range_is_refused_naming_it(app, client, admin_token):
    """`/sops/{id}/versions/{n}` with n past PostgreSQL's INTEGER was a 500 (read, activate, retire):
    every route with an integer in its path is checked, not the ones known to fail."""
    checked = 0
    for rule in _api_rules(app):
        for converter, name in _PATH_PARAMETER.findall(rule.rule):
            if converter != "int":
                continue
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(_fill(rule, {name: TOO_BIG}), method=method, headers=bearer(admin_token))
                body = assert_refused(response, name, status=422)
                assert "2147483647" in body["detail"]
                checked += 1
    assert checked >= 6  # SOP and rule versions: read, activate, retire


def test_every_text_path_parameter_with_a_nul_character_is_refused_naming_it(app, client, admin_token):
    """PostgreSQL refuses NUL in text; SQLite stores it. Both answer the same 422."""
    checked = 0
    for rule in _api_rules(app):
        for converter, name in _PATH_PARAMETER.findall(rule.rule):
            if converter not in ("", "string"):
                continue
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                response = client.open(_fill(rule, {name: "a%00b"}), method=method, headers=bearer(admin_token))
                assert_refused(response, name, status=422)
                checked += 1
    assert checked >= 8


@pytest.mark.parametrize("path, field", [
    ("/api/v1/rule-outcomes?sensor_id=a%00b", "sensor_id"),
    ("/api/v1/users?agency=a%00b", "agency"),
    ("/api/v1/incidents?status=open%00", "status"),
    ("/api/v1/sops?unknown%00=1", "unknown\x00"),
])
def test_a_nul_character_in_any_query_parameter_is_refused_naming_it(client, admin_token, path, field):
    assert_refused(client.get(path, headers=bearer(admin_token)), field, status=422)


@pytest.mark.parametrize("change, field", [
    ({"description": "smoke\x00"}, "description"),
    ({"reporter": {"name": "As\x00ha", "phone": "1"}}, "reporter.name"),
    ({"details": {"casualties": 2**40}}, "details.casualties"),
    ({"details": {"casualties": -(2**40)}}, "details.casualties"),
    ({"place_name\x00": "x"}, "place_name\x00"),
])
def test_a_json_value_no_database_stores_is_refused_naming_its_field(client, admin_token, change, field):
    body = {**FIRE_REPORT, **change}
    assert_refused(client.post("/api/v1/incidents", json=body, headers=bearer(admin_token)), field, status=422)


def test_an_integer_past_an_integer_column_in_a_json_body_is_refused(client, admin_token):
    """`priority` is an INTEGER column: 2**40 got to the database before."""
    response = client.post("/api/v1/agencies", json={"code": "fire-x", "name": "Fire", "kind": "fire",
                                                     "priority": 2**40}, headers=bearer(admin_token))
    assert_refused(response, "priority", status=422)


@pytest.mark.parametrize("text", [
    "[" * 1000 + "]" * 1000,
    '{"description": ' + '{"a": ' * 1000 + "1" + "}" * 1001,
])
def test_json_nested_a_thousand_deep_is_refused(client, admin_token, text):
    response = client.post("/api/v1/incidents", data=text, content_type="application/json",
                           headers=bearer(admin_token))
    body = assert_refused(response, None, status=400)
    assert f"nested more than {MAX_NESTING_DEPTH} levels deep" in body["detail"]


def test_a_geojson_body_nested_a_thousand_deep_is_refused(client, admin_token):
    """The import reads its body itself, through the same limits."""
    response = client.post("/api/v1/agencies/import", data="[" * 1000 + "]" * 1000,
                           content_type="application/geo+json", headers=bearer(admin_token))
    body = assert_refused(response, "features", status=422)
    assert "nested more than" in body["detail"]


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_json_not_a_number_is_refused(client, admin_token, constant):
    text = json.dumps({**FIRE_REPORT, "details": {"casualties": 0}}).replace('"casualties": 0',
                                                                              f'"casualties": {constant}')
    response = client.post("/api/v1/incidents", data=text, content_type="application/json",
                           headers=bearer(admin_token))
    assert_refused(response, None, status=400)


def test_a_json_number_too_large_for_a_float_is_refused(client, admin_token):
    text = json.dumps({"code": "fire-x", "name": "Fire", "kind": "fire", "chain_of_command": None,
                       "priority": 1}).replace('"priority": 1', '"priority": 1e400')
    response = client.post("/api/v1/agencies", data=text, content_type="application/json",
                           headers=bearer(admin_token))
    assert_refused(response, "priority", status=422)


@pytest.mark.parametrize("path", ["/api/v1/sops", "/api/v1/rules"])
@pytest.mark.parametrize("text, field, message", [
    ("a: " + "[" * 1000 + "]" * 1000 + "\n", None, f"nested more than {MAX_NESTING_DEPTH} levels deep"),
    ("a: &loop [*loop]\n", None, "nested more than"),
    ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 10)}]\n" for n in range(8)), None,
     "expands to more than"),
    ('id: "a\\0b"\n', "id", "NUL"),
])
def test_a_yaml_document_too_deep_too_large_or_holding_nul_is_refused_by_line(client, admin_token, path, text,
                                                                              field, message):
    response = client.post(path, data=text, content_type="application/yaml", headers=bearer(admin_token))
    body = assert_refused(response, None, status=422)
    assert message in body["detail"]
    if field is not None:
        assert body["errors"][0]["field"] == field


@pytest.mark.parametrize("path, shipped", [("/api/v1/sops", SHIPPED_SOP), ("/api/v1/rules", SHIPPED_RULE)])
def test_a_yaml_version_past_an_integer_column_is_refused_at_its_line(client, admin_token, path, shipped):
    text = re.sub(r"(?m)^version: \d+$", f"version: {TOO_BIG}", shipped.read_text(encoding="utf-8"))
    response = client.post(path, data=text, content_type="application/yaml", headers=bearer(admin_token))
    body = assert_refused(response, None, status=422)
    assert body["errors"][0]["field"] == "version"
    assert body["errors"][0]["line"] >= 1


def test_a_duration_longer_than_an_integer_column_holds_is_refused(client, admin_token):
    """A deadline decades away would overflow the clock's arithmetic when the SOP starts."""
    text = re.sub(r"(?m)^target: .*$", "target: 99999999999999999h", SHIPPED_SOP.read_text(encoding="utf-8"))
    response = client.post("/api/v1/sops", data=text, content_type="application/yaml", headers=bearer(admin_token))
    body = assert_refused(response, None, status=422)
    assert body["errors"][0]["field"] == "target"


def test_a_nul_character_in_a_console_form_is_refused_before_the_database(client):
    """Sign-in attempts are stored with the name typed: NUL never reaches PostgreSQL."""
    csrf = csrf_of(client.get("/console/sign-in").get_data(as_text=True))
    response = client.post("/console/sign-in", data={"username": "as\x00ha", "password": "x", "csrf": csrf})
    assert response.status_code == 422
    assert "Username: a NUL character" in response.get_data(as_text=True)


def test_the_limits_read_a_file_as_they_read_a_body():
    """The agency import from the command line parses through the same limits."""
    with pytest.raises(MalformedJson, match="nested more than"):
        parse_json("[" * 1000 + "]" * 1000)
    with pytest.raises(InvalidInput) as refused:
        load_json('{"features": [{"properties": {"name": "a\\u0000"}}]}')
    assert refused.value.field == "features.0.properties.name"
    assert parse_json('{"a": ["[{", "]]]]"]}') == {"a": ["[{", "]]]]"]}
    assert parse_json("[" * MAX_NESTING_DEPTH + "]" * MAX_NESTING_DEPTH)
