"""Operations endpoints and the OpenAPI document."""

from __future__ import annotations

import re

import pytest

from coordination import Store
from web.app.factory import create_app
from web.app.config import Settings
from tests.conftest import LOOPBACK
from tests.web.conftest import FIRE_REPORT

pytestmark = pytest.mark.database


def test_liveness_and_readiness(client):
    assert client.get("/healthz").json == {"status": "alive"}
    assert client.get("/readyz").json == {"status": "ready"}


def test_readiness_fails_until_the_schema_is_migrated(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    settings = Settings(database_url=url, allowed_webhook_hosts=LOOPBACK, secret_key="k")
    response = create_app(settings, store=Store(url), clock=clock).test_client().get("/readyz")
    assert response.status_code == 503
    assert "iccc db upgrade" in response.json["detail"]


def test_metrics_count_requests_deliveries_deadlines_and_the_outbox(client, officer, make_agency, receiver):
    make_agency("fire-central", "fire", receiver.url())
    client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer)
    text = client.get("/metrics").get_data(as_text=True)
    assert 'iccc_outbox_depth{status="pending"} 1.0' in text
    assert 'iccc_http_requests_total{endpoint="incidents.declare",method="POST",status="201"}' in text
    assert "iccc_webhook_deliveries_total" in text
    assert "iccc_deadlines_fired_total" in text


def test_the_openapi_document_describes_every_route(app, client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "openapi.document":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = document["paths"][path][method.lower()]
            assert operation["summary"], rule.endpoint
    declare = document["paths"]["/api/v1/incidents"]["post"]
    schema_name = declare["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "location" in document["components"]["schemas"][schema_name]["properties"]
    assert "422" in declare["responses"]
