"""Administrators' console, agencies: register one, import jurisdictions from GeoJSON with every
bad feature listed, point an agency's webhook at an allowlisted URL, rotate its secret."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from coordination.store.tables import Agency, TimelineEntry
from tests.web.console_session import sign_in_as

pytestmark = pytest.mark.database

SQUARE = {"type": "Polygon", "coordinates": [[[77.5, 12.9], [77.7, 12.9], [77.7, 13.1], [77.5, 13.1], [77.5, 12.9]]]}


def feature(code: str, kind: str = "police", geometry: dict | None = SQUARE, **properties) -> dict:
    return {"type": "Feature", "geometry": geometry,
            "properties": {"code": code, "name": code.title(), "kind": kind, **properties}}


def collection(*features: dict) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def test_an_administrator_registers_an_agency_and_sees_its_credentials_once(client, make_user, store):
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/agencies", data={
        "csrf": csrf, "code": "fire-east", "name": "Fire East", "kind": "fire",
        "webhook_url": "http://127.0.0.1:9/hooks/fire-east", "priority": "50", "jurisdiction": json.dumps(SQUARE)})
    page = response.get_data(as_text=True)
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    with store.transaction() as session:
        agency = session.scalar(select(Agency).where(Agency.code == "fire-east"))
        assert (agency.priority, agency.jurisdiction["type"]) == (50, "Polygon")
        assert agency.webhook_secret in page
        assert agency.webhook_secret not in json.dumps([entry.data for entry in session.scalars(select(TimelineEntry))])
    assert "iccc_" in page  # the API token, shown once
    listing = client.get("/console/admin/agencies").get_data(as_text=True)
    assert 'id="agency-fire-east"' in listing and agency.webhook_secret not in listing


def test_a_webhook_url_off_the_allowlist_is_refused_beside_its_field(client, make_user, store):
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/agencies", data={
        "csrf": csrf, "code": "fire-east", "name": "Fire East", "kind": "fire",
        "webhook_url": "https://collector.example.net/hook"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="register-webhook_url-error"' in page and "not on the allowlist" in page
    assert 'value="https://collector.example.net/hook"' in page  # what was typed is kept
    with store.transaction() as session:
        assert session.scalar(select(Agency).where(Agency.code == "fire-east")) is None


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"code": "Fire East", "kind": "fire"}, "code", "pattern"),
    ({"code": "fire-east", "kind": "bakery"}, "kind", "Input should be"),
    ({"code": "fire-east", "kind": "fire", "priority": "first"}, "priority", "integer"),
    ({"code": "fire-east", "kind": "fire", "jurisdiction": "{not json"}, "jurisdiction", "not JSON"),
    ({"code": "fire-east", "kind": "fire", "jurisdiction": '{"type": "Point", "coordinates": [1, 2]}'},
     "jurisdiction", "Polygon"),
])
def test_each_bad_field_is_named_beside_it(client, make_user, form, field, message):
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/agencies", data={"csrf": csrf, "name": "Fire East", **form})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split(f'id="register-{field}-error"', 1)[1].split("</p>", 1)[0]
    assert message in error


def test_a_taken_code_is_refused_on_the_form(client, make_user, make_agency):
    make_agency("fire-east", "fire")
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/agencies", data={"csrf": csrf, "code": "fire-east", "name": "F",
                                                             "kind": "fire"})
    # A taken code conflicts with an agency that exists: 409, as the API answers (the error map).
    assert response.status_code == 409 and "already registered" in response.get_data(as_text=True)


def test_an_import_lists_every_bad_feature_by_index_and_imports_nothing(client, make_user, store):
    csrf = sign_in_as(client, make_user)
    text = collection(feature("police-north"), feature("police-south", kind="wizards"),
                      feature("police-east", geometry={"type": "Polygon", "coordinates": [[[77.5, 12.9]]]}))
    response = client.post("/console/admin/agencies/import", data={
        "csrf": csrf, "geojson_file": (io.BytesIO(text.encode()), "stations.geojson")},
        content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    problems = page.split('id="import-problems"', 1)[1].split("</ul>", 1)[0]
    assert "feature 1: properties.kind" in problems and "feature 2: " in problems
    assert "feature 0" not in problems
    with store.transaction() as session:
        assert session.scalars(select(Agency)).all() == []


def test_a_good_import_registers_and_updates_and_shows_new_secrets_once(client, make_user, make_agency, store):
    make_agency("police-north", "police")
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/agencies/import", data={
        "csrf": csrf, "geojson": collection(feature("police-north", priority=10),
                                            feature("police-south", webhook_url="http://127.0.0.1:9/h"))})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "Updated: police-north." in page
    with store.transaction() as session:
        south = session.scalar(select(Agency).where(Agency.code == "police-south"))
        north = session.scalar(select(Agency).where(Agency.code == "police-north"))
        assert south.webhook_secret in page and north.priority == 10


def test_an_empty_import_is_explained(client, make_user):
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/agencies/import", data={"csrf": csrf, "geojson": " "})
    assert response.status_code == 422 and "choose a GeoJSON file" in response.get_data(as_text=True)


def test_the_webhook_endpoint_is_checked_against_the_allowlist(client, make_user, make_agency, store):
    make_agency("fire-east", "fire")
    csrf = sign_in_as(client, make_user)
    refused = client.post("/console/admin/agencies/fire-east/webhook",
                          data={"csrf": csrf, "webhook_url": "http://10.0.0.8/hook"})
    assert refused.status_code == 422
    assert 'id="webhook-webhook_url-error"' in refused.get_data(as_text=True)
    saved = client.post("/console/admin/agencies/fire-east/webhook",
                        data={"csrf": csrf, "webhook_url": "http://127.0.0.1:9/hooks/fire-east"})
    assert saved.status_code == 302
    with store.transaction() as session:
        agency = session.scalar(select(Agency).where(Agency.code == "fire-east"))
        assert agency.webhook_url == "http://127.0.0.1:9/hooks/fire-east" and agency.webhook_secret


def test_rotating_the_secret_shows_the_new_one_once_and_keeps_the_old_signing(client, make_user, make_agency, store,
                                                                              caplog):
    _id, _token, old_secret = make_agency("fire-east", "fire", "http://127.0.0.1:9/hook")
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/agencies/fire-east/webhook-secret", data={"csrf": csrf})
    page = response.get_data(as_text=True)
    with store.transaction() as session:
        agency = session.scalar(select(Agency).where(Agency.code == "fire-east"))
        new_secret = agency.webhook_secret
        assert agency.previous_webhook_secret == old_secret != new_secret
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert f'<code id="new-secret">{new_secret}</code>' in page
    assert new_secret not in client.get("/console/admin/agencies/fire-east").get_data(as_text=True)
    assert new_secret not in caplog.text


def test_an_agency_without_an_endpoint_has_no_secret_to_rotate(client, make_user, make_agency):
    make_agency("fire-east", "fire")
    csrf = sign_in_as(client, make_user)
    response = client.post("/console/admin/agencies/fire-east/webhook-secret", data={"csrf": csrf})
    assert response.status_code == 409 and "no webhook endpoint" in response.get_data(as_text=True)


def test_an_unknown_agency_is_404(client, make_user):
    csrf = sign_in_as(client, make_user)
    assert client.get("/console/admin/agencies/nobody").status_code == 404
    assert client.post("/console/admin/agencies/nobody/webhook-secret", data={"csrf": csrf}).status_code == 404
