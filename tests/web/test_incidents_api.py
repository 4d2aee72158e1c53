"""The incidents API says where an incident is in words as well as by its point: a client gives
`place_name` when declaring and every reader gets it back."""

from __future__ import annotations

import pytest

from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.database


def test_a_place_name_declared_is_read_back_from_the_list_and_the_incident(client, officer, viewer):
    declared = client.post("/api/v1/incidents", json={**FIRE_REPORT, "place_name": " MG Road junction "},
                           headers=officer)
    assert declared.status_code == 201, declared.json
    assert declared.json["place_name"] == "MG Road junction"
    read = client.get(declared.headers["Location"], headers=viewer).json  # the wall screen reads it too
    assert (read["place_name"], read["location"]) == ("MG Road junction", FIRE_REPORT["location"])
    [listed] = client.get("/api/v1/incidents", headers=officer).json["items"]
    assert listed["place_name"] == "MG Road junction"


@pytest.mark.parametrize("given", [{}, {"place_name": None}, {"place_name": "  "}])
def test_an_incident_declared_without_a_place_name_has_none(client, officer, given):
    declared = client.post("/api/v1/incidents", json={**FIRE_REPORT, **given}, headers=officer)
    assert declared.status_code == 201, declared.json
    assert client.get(declared.headers["Location"], headers=officer).json["place_name"] is None


def test_the_openapi_document_offers_place_name_with_its_limit(client):
    schema = client.get("/api/v1/openapi.json").json
    place_name = schema["components"]["schemas"]["IncidentReport"]["properties"]["place_name"]
    assert {"type": "string", "maxLength": 200} in place_name["anyOf"]
