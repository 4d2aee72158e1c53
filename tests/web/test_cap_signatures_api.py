"""POST /api/v1/alerts/cap with trust anchors: a sender the centre holds certificates for must sign
its alerts; a refusal is a 422 problem naming `signature`, and stays on the timeline although the
request failed. Settings: ICCC_CAP_TRUST_FILE and ICCC_CAP_REQUIRE_SIGNATURE."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import select

from coordination import InvalidInput, Role
from coordination.store.tables import CapAlertRecord, TimelineEntry
from tests.cap_signing import make_signing_key, sign, trusting
from tests.conftest import shared_file
from tests.web.cap_alerts import SENDER, cap_alert
from tests.web.conftest import bearer
from web.app.config import Settings

pytestmark = pytest.mark.database


@pytest.fixture
def imd(clock):
    return make_signing_key("IMD Bengaluru", valid_from=clock.now() - timedelta(days=1))


@pytest.fixture
def source(make_token):
    return bearer(make_token(Role.ALERT_SOURCE, "cap-aggregator"))


def trust_in_app(app, trust) -> None:
    services = app.extensions["iccc"]
    services.settings = replace(services.settings, cap_trust=trust)


def post_cap(client, headers, data: bytes):
    return client.post("/api/v1/alerts/cap", data=data, content_type="application/cap+xml", headers=headers)


def test_a_signed_alert_is_accepted_and_listed_as_verified(app, client, source, officer, imd):
    trust_in_app(app, trusting(SENDER, imd))
    response = post_cap(client, source, sign(cap_alert("flood-1"), imd))
    assert response.status_code == 201, response.json
    assert response.json["signature"] == "verified" and response.json["outcome"] == "declared"
    [listed] = client.get("/api/v1/alerts/cap", headers=officer).json["items"]
    assert listed["signature"] == "verified"


def test_an_unsigned_alert_from_a_trusted_sender_is_a_problem_naming_the_signature(app, client, source, store, imd):
    trust_in_app(app, trusting(SENDER, imd))
    response = post_cap(client, source, cap_alert("forged-1"))
    assert response.status_code == 422 and response.content_type == "application/problem+json"
    assert response.json["field"] == "signature" and "XML Signature" in response.json["detail"]
    with store.transaction() as session:
        assert session.scalars(select(CapAlertRecord)).all() == []
        [entry] = session.scalars(select(TimelineEntry).where(TimelineEntry.kind == "cap.refused")).all()
        assert entry.actor == "alert_source:cap-aggregator", "who relayed the forgery"
        assert entry.data["identifier"] == "forged-1" and entry.data["sender"] == SENDER


def test_an_altered_alert_is_refused_and_the_attempt_is_shown_to_the_duty_officer(app, client, source, officer,
                                                                                   imd):
    trust_in_app(app, trusting(SENDER, imd))
    altered = sign(cap_alert("flood-2", severity="Minor"), imd).replace(b">Minor<", b">Extreme<")
    response = post_cap(client, source, altered)
    assert response.status_code == 422 and response.json["field"] == "signature"
    assert "changed after" in response.json["detail"]
    kinds = [item["kind"] for item in client.get("/api/v1/officer-alerts", headers=officer).json["items"]]
    assert "cap.refused" in kinds


def test_without_trust_anchors_alerts_are_accepted_as_unsigned(client, source):
    response = post_cap(client, source, cap_alert("flood-3"))
    assert response.status_code == 201 and response.json["signature"] == "unsigned"


def test_strict_mode_refuses_a_sender_without_anchors(app, client, source, imd):
    trust_in_app(app, trusting("someone-else@example", imd, require_signature=True))
    response = post_cap(client, source, sign(cap_alert("flood-4"), imd))
    assert response.status_code == 422 and response.json["field"] == "signature"
    assert "holds none" in response.json["detail"]


class TestSettings:
    def test_the_trust_file_and_strict_mode_are_read_from_the_environment(self, monkeypatch, tmp_path, imd):
        (tmp_path / "imd.pem").write_text(imd.certificate_pem)
        (tmp_path / "trust.yaml").write_text(f"senders:\n  {SENDER}: [imd.pem]\n")
        monkeypatch.setenv("ICCC_CAP_TRUST_FILE", str(tmp_path / "trust.yaml"))
        monkeypatch.setenv("ICCC_CAP_REQUIRE_SIGNATURE", "true")
        settings = Settings.from_environment(data_dir=tmp_path)
        assert settings.cap_trust.anchors_for(SENDER) == (imd.certificate,)
        assert settings.cap_trust.require_signature

    def test_by_default_no_sender_has_anchors_and_unsigned_alerts_are_heard(self, monkeypatch, tmp_path):
        monkeypatch.delenv("ICCC_CAP_TRUST_FILE", raising=False)
        monkeypatch.delenv("ICCC_CAP_REQUIRE_SIGNATURE", raising=False)
        trust = Settings.from_environment(data_dir=tmp_path).cap_trust
        assert trust.anchors_for(SENDER) == () and not trust.require_signature

    def test_a_misspelt_switch_stops_the_start(self, monkeypatch, tmp_path):
        monkeypatch.setenv("ICCC_CAP_REQUIRE_SIGNATURE", "ture")
        with pytest.raises(InvalidInput) as error:
            Settings.from_environment(data_dir=tmp_path)
        assert error.value.field == "ICCC_CAP_REQUIRE_SIGNATURE"


def test_a_signed_reference_alert_from_a_sender_without_anchors_is_kept_as_unchecked(client, source):
    response = post_cap(client, source, shared_file("cap/canada_signed.cap").read_bytes())
    assert response.status_code == 201 and response.json["signature"] == "unchecked"
