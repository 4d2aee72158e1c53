"""Bad input on every route gets a 4xx with an application/problem+json body naming the field."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from coordination import SYSTEM, ManualClock, Role, install_shipped_sops, issue_token
from tests.conftest import add_agency, add_token
from tests.web.conftest import FIRE_REPORT, LOOPBACK, bearer
from web.app.factory import create_app
from web.app.config import Settings

pytestmark = pytest.mark.database

NO_TASK = "00000000-0000-4000-8000-000000000000"
POINT = {"type": "Point", "coordinates": [77.5946, 12.9716]}


def report(**changes):
    body = json.loads(json.dumps(FIRE_REPORT))
    for path, value in changes.items():
        target = body
        *parents, last = path.split("__")
        for parent in parents:
            target = target[parent]
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return body


CAP_WITHOUT_SCOPE = b"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x1</identifier><sender>s@example</sender>
<sent>2026-01-01T00:00:00+00:00</sent><status>Actual</status><msgType>Alert</msgType></alert>"""

# (case id, method, path, caller, body, expected status, expected field or None)
CASES = [
    ("declare-not-json", "POST", "/api/v1/incidents", "officer", b"{not json", 400, None),
    ("declare-wrong-content-type", "POST", "/api/v1/incidents", "officer", ("text/plain", b"fire!"), 415, None),
    ("declare-array", "POST", "/api/v1/incidents", "officer", [1, 2], 422, None),
    ("declare-missing-reporter", "POST", "/api/v1/incidents", "officer", report(reporter=...), 422, "reporter"),
    ("declare-unknown-type", "POST", "/api/v1/incidents", "officer", report(type="alien_invasion"), 422, "type"),
    ("declare-wrong-severity-type", "POST", "/api/v1/incidents", "officer", report(severity=5), 422, "severity"),
    ("declare-latitude-out-of-range", "POST", "/api/v1/incidents", "officer",
     report(location={"type": "Point", "coordinates": [77.5, 91]}), 422, "location.coordinates.1"),
    ("declare-longitude-out-of-range", "POST", "/api/v1/incidents", "officer",
     report(location={"type": "Point", "coordinates": [-181, 12]}), 422, "location.coordinates.0"),
    ("declare-not-a-point", "POST", "/api/v1/incidents", "officer",
     report(location={"type": "Polygon", "coordinates": [77.5, 12.9]}), 422, "location.type"),
    ("declare-unknown-field", "POST", "/api/v1/incidents", "officer", report(priority="high"), 422, "priority"),
    ("declare-place-name-too-long", "POST", "/api/v1/incidents", "officer", report(place_name="x" * 201), 422,
     "place_name"),
    ("declare-place-name-not-text", "POST", "/api/v1/incidents", "officer", report(place_name=["MG Road"]), 422,
     "place_name"),
    ("declare-oversized", "POST", "/api/v1/incidents", "officer", report(description="x" * 1_100_000), 413, None),
    ("declare-no-token", "POST", "/api/v1/incidents", None, report(), 401, None),
    ("declare-bad-token", "POST", "/api/v1/incidents", "bogus", report(), 401, None),
    ("declare-expired-token", "POST", "/api/v1/incidents", "expired", report(), 401, None),
    ("declare-as-agency", "POST", "/api/v1/incidents", "agency", report(), 403, None),
    ("list-incidents-bad-limit", "GET", "/api/v1/incidents?limit=lots", "officer", None, 400, "limit"),
    ("list-incidents-limit-too-big", "GET", "/api/v1/incidents?limit=100000", "officer", None, 400, "limit"),
    ("list-incidents-bad-status", "GET", "/api/v1/incidents?status=burning", "officer", None, 400, "status"),
    ("list-incidents-as-agency", "GET", "/api/v1/incidents", "agency", None, 403, None),
    ("read-incident-not-a-uuid", "GET", "/api/v1/incidents/42", "officer", None, 404, None),
    ("read-incident-unknown", "GET", f"/api/v1/incidents/{NO_TASK}", "officer", None, 404, None),
    ("revise-incident-nothing", "PATCH", "/api/v1/incidents/{incident}", "officer", {}, 422, ""),
    ("revise-incident-unknown-severity", "PATCH", "/api/v1/incidents/{incident}", "officer",
     {"severity": "apocalyptic"}, 422, "severity"),
    ("revise-incident-null-severity", "PATCH", "/api/v1/incidents/{incident}", "officer", {"severity": None}, 422,
     "severity"),
    ("revise-incident-latitude-out-of-range", "PATCH", "/api/v1/incidents/{incident}", "officer",
     {"location": {"type": "Point", "coordinates": [77.5, 91]}}, 422, "location.coordinates.1"),
    ("revise-incident-place-name-too-long", "PATCH", "/api/v1/incidents/{incident}", "officer",
     {"place_name": "x" * 201}, 422, "place_name"),
    ("revise-incident-type", "PATCH", "/api/v1/incidents/{incident}", "officer", {"type": "flood"}, 422, "type"),
    ("revise-incident-not-json", "PATCH", "/api/v1/incidents/{incident}", "officer",
     ("text/plain", b"severity=severe"), 415, None),
    ("revise-incident-unknown", "PATCH", f"/api/v1/incidents/{NO_TASK}", "officer", {"severity": "severe"}, 404,
     None),
    ("revise-incident-closed", "PATCH", "/api/v1/incidents/{closed}", "officer", {"severity": "severe"}, 409, None),
    ("revise-incident-as-viewer", "PATCH", "/api/v1/incidents/{incident}", "viewer", {"severity": "severe"}, 403,
     None),
    ("revise-incident-as-agency", "PATCH", "/api/v1/incidents/{incident}", "agency", {"severity": "severe"}, 403,
     None),
    ("timeline-unknown", "GET", f"/api/v1/incidents/{NO_TASK}/timeline", "officer", None, 404, None),
    ("timeline-no-token", "GET", f"/api/v1/incidents/{NO_TASK}/timeline", None, None, 401, None),
    ("list-tasks-bad-status", "GET", "/api/v1/tasks?status=sleeping", "agency", None, 400, "status"),
    ("list-tasks-bad-offset", "GET", "/api/v1/tasks?offset=-1", "agency", None, 400, "offset"),
    ("read-task-unknown", "GET", f"/api/v1/tasks/{NO_TASK}", "agency", None, 404, None),
    ("acknowledge-unknown", "POST", f"/api/v1/tasks/{NO_TASK}/acknowledge", "agency", None, 404, None),
    ("acknowledge-extra-field", "POST", "/api/v1/tasks/{task}/acknowledge", "agency", {"eta": 5}, 422, "eta"),
    ("acknowledge-as-viewer", "POST", "/api/v1/tasks/{task}/acknowledge", "viewer", None, 403, None),
    ("progress-missing-note", "POST", "/api/v1/tasks/{task}/progress", "agency", {"percent": 10}, 422, "note"),
    ("progress-percent-too-big", "POST", "/api/v1/tasks/{task}/progress", "agency",
     {"note": "x", "percent": 101}, 422, "percent"),
    ("progress-not-json", "POST", "/api/v1/tasks/{task}/progress", "agency", b"note=x", 400, None),
    ("progress-before-acknowledging", "POST", "/api/v1/tasks/{task}/progress", "agency", {"note": "x"}, 409, None),
    ("complete-note-wrong-type", "POST", "/api/v1/tasks/{task}/complete", "agency", {"note": 7}, 422, "note"),
    ("reject-without-reason", "POST", "/api/v1/tasks/{task}/reject", "agency", {}, 422, "reason"),
    ("reject-empty-reason", "POST", "/api/v1/tasks/{task}/reject", "agency", {"reason": ""}, 422, "reason"),
    ("deliveries-unknown", "GET", f"/api/v1/tasks/{NO_TASK}/deliveries", "agency", None, 404, None),
    ("register-agency-bad-kind", "POST", "/api/v1/agencies", "admin",
     {"code": "navy", "name": "Navy", "kind": "navy"}, 422, "kind"),
    ("register-agency-unsafe-webhook", "POST", "/api/v1/agencies", "admin",
     {"code": "water", "name": "Water", "kind": "water", "webhook_url": "http://169.254.169.254/"}, 422,
     "webhook_url"),
    ("register-agency-bowtie-jurisdiction", "POST", "/api/v1/agencies", "admin",
     {"code": "ward-9", "name": "Ward 9", "kind": "municipal", "jurisdiction": {"type": "Polygon", "coordinates": [
         [[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}}, 422, "jurisdiction"),
    ("register-agency-point-jurisdiction", "POST", "/api/v1/agencies", "admin",
     {"code": "ward-9", "name": "Ward 9", "kind": "municipal", "jurisdiction": {"type": "Point",
                                                                                "coordinates": [0, 0]}},
     422, "jurisdiction"),
    ("register-agency-duplicate-code", "POST", "/api/v1/agencies", "admin",
     {"code": "fire-central", "name": "Fire", "kind": "fire"}, 409, None),
    ("register-agency-as-officer", "POST", "/api/v1/agencies", "officer",
     {"code": "x1", "name": "X", "kind": "fire"}, 403, None),
    ("list-agencies-bad-limit", "GET", "/api/v1/agencies?limit=0", "officer", None, 400, "limit"),
    ("list-sops-no-token", "GET", "/api/v1/sops", None, None, 401, None),
    ("list-sops-bad-offset", "GET", "/api/v1/sops?offset=x", "officer", None, 400, "offset"),
    ("upload-sop-wrong-type", "POST", "/api/v1/sops", "admin", {"id": "x"}, 415, None),
    ("upload-sop-invalid", "POST", "/api/v1/sops", "admin", ("application/yaml", b"id: x\nversion: 0\n"), 422, None),
    ("upload-sop-as-officer", "POST", "/api/v1/sops", "officer", ("application/yaml", b"id: x"), 403, None),
    ("list-escalations-bad-limit", "GET", "/api/v1/escalations?limit=-5", "officer", None, 400, "limit"),
    # Issue 4: CAP in, notices, officer alerts, the public feed, dead letters, agency management.
    ("cap-wrong-content-type", "POST", "/api/v1/alerts/cap", "alert_source", {"alert": 1}, 415, None),
    ("cap-not-xml", "POST", "/api/v1/alerts/cap", "alert_source", ("application/cap+xml", b"<alert"), 422, "alert"),
    ("cap-missing-scope", "POST", "/api/v1/alerts/cap", "alert_source",
     ("application/cap+xml", CAP_WITHOUT_SCOPE), 422, "alert.scope"),
    ("cap-entity-declaration", "POST", "/api/v1/alerts/cap", "alert_source",
     ("application/cap+xml", b'<!DOCTYPE alert [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert/>'), 422, "alert"),
    ("cap-as-agency", "POST", "/api/v1/alerts/cap", "agency", ("application/cap+xml", b"<alert/>"), 403, None),
    ("cap-no-token", "POST", "/api/v1/alerts/cap", None, ("application/cap+xml", b"<alert/>"), 401, None),
    ("list-cap-bad-limit", "GET", "/api/v1/alerts/cap?limit=x", "officer", None, 400, "limit"),
    ("draft-notice-missing-area", "POST", "/api/v1/notices", "officer",
     {"event": "Flood", "categories": ["Met"], "urgency": "Immediate", "severity": "Severe", "certainty": "Observed",
      "headline": "Flooding"}, 422, "area"),
    ("draft-notice-bad-urgency", "POST", "/api/v1/notices", "officer",
     {"event": "Flood", "categories": ["Met"], "urgency": "Now", "severity": "Severe", "certainty": "Observed",
      "headline": "Flooding", "area": {"description": "Ward 5"}}, 422, "urgency"),
    ("list-notices-bad-offset", "GET", "/api/v1/notices?offset=-2", "officer", None, 400, "offset"),
    ("approve-notice-unknown", "POST", f"/api/v1/notices/{NO_TASK}/approve", "officer", None, 404, None),
    ("approve-notice-as-admin", "POST", f"/api/v1/notices/{NO_TASK}/approve", "admin", None, 403, None),
    ("list-officer-alerts-bad-open", "GET", "/api/v1/officer-alerts?open=maybe", "officer", None, 400, "open"),
    ("acknowledge-officer-alert-unknown", "POST", f"/api/v1/officer-alerts/{NO_TASK}/acknowledge", "officer",
     None, 404, None),
    ("public-incidents-bad-limit", "GET", "/api/v1/public/incidents?limit=all", None, None, 400, "limit"),
    ("public-geojson-bad-limit", "GET", "/api/v1/public/incidents.geojson?limit=0", None, None, 400, "limit"),
    ("public-alerts-bad-limit", "GET", "/api/v1/public/alerts?limit=9999", None, None, 400, "limit"),
    ("public-alert-unknown", "GET", f"/api/v1/public/alerts/{NO_TASK}", None, None, 404, None),
    ("dead-letters-bad-limit", "GET", "/api/v1/webhooks/dead-letters?limit=-1", "officer", None, 400, "limit"),
    ("replay-unknown", "POST", "/api/v1/webhooks/msg_nothing/replay", "officer", None, 404, None),
    ("read-agency-other", "GET", "/api/v1/agencies/police-north", "agency", None, 404, None),
    ("import-not-a-collection", "POST", "/api/v1/agencies/import", "admin",
     ("application/geo+json", b'{"type": "Feature"}'), 422, "features"),
    ("import-as-officer", "POST", "/api/v1/agencies/import", "officer", ("application/geo+json", b"{}"), 403, None),
    ("rotate-token-bad-expiry", "POST", "/api/v1/agencies/fire-central/token", "agency", {"expires_in_days": 0},
     422, "expires_in_days"),
    ("rotate-secret-other-agency", "POST", "/api/v1/agencies/police-north/webhook-secret", "agency", None, 404, None),
    ("enable-webhook-unsafe", "POST", "/api/v1/agencies/fire-central/webhook/enable", "admin",
     {"webhook_url": "http://10.0.0.1/hook"}, 422, "webhook_url"),
    ("list-decisions-bad-status", "GET", "/api/v1/decisions?status=pondering", "officer", None, 400, "status"),
    ("list-decisions-bad-incident", "GET", "/api/v1/decisions?incident_id=42", "officer", None, 400, "incident_id"),
    ("list-decisions-as-agency", "GET", "/api/v1/decisions", "agency", None, 403, None),
    ("read-decision-unknown", "GET", f"/api/v1/decisions/{NO_TASK}", "officer", None, 404, None),
    ("answer-decision-unknown", "POST", f"/api/v1/decisions/{NO_TASK}/answer", "officer", {"choice": "go"}, 404,
     None),
    ("answer-decision-missing-choice", "POST", f"/api/v1/decisions/{NO_TASK}/answer", "officer", {}, 422, "choice"),
    ("answer-decision-as-viewer", "POST", f"/api/v1/decisions/{NO_TASK}/answer", "viewer", {"choice": "go"}, 403,
     None),
    ("stand-down-without-reason", "POST", f"/api/v1/incidents/{NO_TASK}/stand-down", "officer", {}, 422, "reason"),
    ("stand-down-unknown", "POST", f"/api/v1/incidents/{NO_TASK}/stand-down", "officer", {"reason": "x"}, 404,
     None),
    ("stand-down-as-agency", "POST", f"/api/v1/incidents/{NO_TASK}/stand-down", "agency", {"reason": "x"}, 403,
     None),
    ("start-sop-without-id", "POST", f"/api/v1/incidents/{NO_TASK}/runs", "officer", {}, 422, "sop_id"),
    ("start-sop-unknown-incident", "POST", f"/api/v1/incidents/{NO_TASK}/runs", "officer",
     {"sop_id": "building-fire"}, 404, None),
    ("start-sop-as-viewer", "POST", f"/api/v1/incidents/{NO_TASK}/runs", "viewer", {"sop_id": "x"}, 403, None),
    ("startable-sops-unknown-incident", "GET", f"/api/v1/incidents/{NO_TASK}/startable-sops", "viewer", None, 404,
     None),
    ("sop-schema-no-token", "GET", "/api/v1/sops/schema", None, None, 401, None),
    ("read-sop-version-unknown", "GET", "/api/v1/sops/nothing/versions/1", "officer", None, 404, None),
    ("upload-sop-bad-activate", "POST", "/api/v1/sops?activate=maybe", "admin", ("application/yaml", b"id: x"),
     400, "activate"),
    ("activate-sop-unknown", "POST", "/api/v1/sops/nothing/versions/1/activate", "admin", None, 404, None),
    ("activate-sop-as-officer", "POST", "/api/v1/sops/nothing/versions/1/activate", "officer", None, 403, None),
    ("retire-sop-unknown", "POST", "/api/v1/sops/nothing/versions/1/retire", "admin", None, 404, None),
    ("integrity-as-agency", "GET", "/api/v1/integrity", "agency", None, 403, None),
    ("list-rules-bad-offset", "GET", "/api/v1/rules?offset=x", "officer", None, 400, "offset"),
    ("rule-schema-no-token", "GET", "/api/v1/rules/schema", None, None, 401, None),
    ("read-rule-version-unknown", "GET", "/api/v1/rules/nothing/versions/1", "officer", None, 404, None),
    ("upload-rule-wrong-type", "POST", "/api/v1/rules", "admin", {"id": "x"}, 415, None),
    ("upload-rule-invalid", "POST", "/api/v1/rules", "admin", ("application/yaml", b"id: x\nversion: 0\n"), 422, None),
    ("upload-rule-bad-activate", "POST", "/api/v1/rules?activate=maybe", "admin", ("application/yaml", b"id: x"),
     400, "activate"),
    ("activate-rule-unknown", "POST", "/api/v1/rules/nothing/versions/1/activate", "admin", None, 404, None),
    ("retire-rule-as-officer", "POST", "/api/v1/rules/nothing/versions/1/retire", "officer", None, 403, None),
    ("rule-outcomes-bad-incident", "GET", "/api/v1/rule-outcomes?incident_id=x", "officer", None, 400, "incident_id"),
    ("list-sensors-bad-limit", "GET", "/api/v1/sensors?limit=0", "officer", None, 400, "limit"),
    ("read-sensor-unknown", "GET", "/api/v1/sensors/nothing", "officer", None, 404, None),
    ("sensors-geojson-as-agency", "GET", "/api/v1/sensors.geojson", "agency", None, 403, None),
    ("register-sensor-bad-unit", "POST", "/api/v1/sensors", "admin",
     {"id": "g1", "kind": "water_level", "unit": "ft", "agency": "x", "interval_s": 60, "location": POINT}, 422, "unit"),
    ("import-sensors-not-geojson", "POST", "/api/v1/sensors/import", "admin", {"type": "Feature"}, 422, "features"),
    ("sensor-readings-unknown", "GET", "/api/v1/sensors/nothing/readings", "officer", None, 404, None),
    ("list-devices-bad-limit", "GET", "/api/v1/devices?limit=0", "officer", None, 400, "limit"),
    ("read-device-unknown", "GET", "/api/v1/devices/nothing", "officer", None, 404, None),
    ("register-device-bad-kind", "POST", "/api/v1/devices", "admin",
     {"id": "vms-1", "kind": "hologram", "agency": "x", "location": POINT}, 422, "kind"),
    ("register-device-topic-filter", "POST", "/api/v1/devices", "admin",
     {"id": "vms-1", "kind": "siren", "agency": "x", "location": POINT, "command_topic": "a/+/b"}, 422,
     "command_topic"),
    ("register-device-as-officer", "POST", "/api/v1/devices", "officer", {}, 403, None),
    ("incident-commands-unknown-incident", "GET", f"/api/v1/incidents/{NO_TASK}/device-commands", "officer", None,
     404, None),
    ("command-devices-unknown-incident", "POST", f"/api/v1/incidents/{NO_TASK}/device-commands", "officer",
     {"device_ids": ["vms-1"], "action": "display"}, 404, None),
    ("command-devices-bad-action", "POST", f"/api/v1/incidents/{NO_TASK}/device-commands", "officer",
     {"device_ids": ["vms-1"], "action": "Display!"}, 422, "action"),
    ("post-readings-wrong-type", "POST", "/api/v1/readings", "admin", ("text/plain", b"[]"), 415, None),
    ("post-readings-not-senml", "POST", "/api/v1/readings", "admin", b'{"n": "x"}', 422, "body"),
    ("post-ngsi-ld-not-a-notification", "POST", "/api/v1/readings/ngsi-ld", "admin", {"data": 1}, 422, "body"),
    ("dead-letters-bad-problem", "GET", "/api/v1/intake/dead-letters?problem=x", "officer", None, 400, "problem"),
    ("register-station-unknown-agency", "POST", "/api/v1/stations", "admin",
     {"code": "S1", "name": "S", "agency_id": NO_TASK, "location": POINT}, 422, "agency_id"),
    ("register-station-bad-code", "POST", "/api/v1/stations", "admin",
     {"code": "no spaces", "name": "S", "agency_id": NO_TASK, "location": POINT}, 422, "code"),
    ("register-station-as-officer", "POST", "/api/v1/stations", "officer",
     {"code": "S1", "name": "S", "agency_id": NO_TASK, "location": POINT}, 403, None),
    ("list-stations-bad-limit", "GET", "/api/v1/stations?limit=0", "agency", None, 400, "limit"),
    ("register-unit-unknown-type", "POST", "/api/v1/units", "admin",
     {"code": "U1", "unit_type": "tank", "station_id": NO_TASK}, 422, "unit_type"),
    ("register-unit-unknown-capability", "POST", "/api/v1/units", "admin",
     {"code": "U1", "unit_type": "ambulance", "station_id": NO_TASK, "capabilities": ["flying"]}, 422, "capabilities"),
    ("register-unit-unknown-station", "POST", "/api/v1/units", "admin",
     {"code": "U1", "unit_type": "ambulance", "station_id": NO_TASK}, 422, "station_id"),
    ("register-unit-type-of-another-agency", "POST", "/api/v1/units", "admin",
     {"code": "U1", "unit_type": "ambulance", "station_id": "{station}"}, 422, "unit_type"),
    ("list-units-bad-status", "GET", "/api/v1/units?status=asleep", "agency", None, 400, "status"),
    ("read-unit-unknown", "GET", f"/api/v1/units/{NO_TASK}", "agency", None, 404, None),
    ("read-unit-no-token", "GET", f"/api/v1/units/{NO_TASK}", None, None, 401, None),
    ("position-latitude-out-of-range", "POST", "/api/v1/units/{unit}/position", "agency",
     {"location": {"type": "Point", "coordinates": [77.5, 95]}}, 422, "location.coordinates.1"),
    ("position-time-without-zone", "POST", "/api/v1/units/{unit}/position", "agency",
     {"location": POINT, "fixed_at": "2026-07-01T09:00:00"}, 422, "fixed_at"),
    ("position-in-the-future", "POST", "/api/v1/units/{unit}/position", "agency",
     {"location": POINT, "fixed_at": "2999-01-01T00:00:00Z"}, 422, "fixed_at"),
    ("position-unknown-unit", "POST", f"/api/v1/units/{NO_TASK}/position", "agency", {"location": POINT}, 404, None),
    ("position-as-officer", "POST", "/api/v1/units/{unit}/position", "officer", {"location": POINT}, 403, None),
    ("status-unknown", "POST", "/api/v1/units/{unit}/status", "agency", {"status": "flying"}, 422, "status"),
    ("status-dispatched-by-agency", "POST", "/api/v1/units/{unit}/status", "agency", {"status": "dispatched"}, 422,
     "status"),
    ("status-illegal-move", "POST", "/api/v1/units/{unit}/status", "agency", {"status": "on_scene"}, 409, None),
    ("recommend-unknown-need", "POST", "/api/v1/dispatch/recommendations", "officer",
     {"incident_id": NO_TASK, "needs": {"dragon": 1}}, 422, "needs.dragon"),
    ("recommend-count-not-a-number", "POST", "/api/v1/dispatch/recommendations", "officer",
     {"incident_id": NO_TASK, "needs": {"ambulance": "two"}}, 422, "needs.ambulance"),
    ("recommend-no-needs", "POST", "/api/v1/dispatch/recommendations", "officer",
     {"incident_id": NO_TASK, "needs": {}}, 422, "needs"),
    ("recommend-unknown-incident", "POST", "/api/v1/dispatch/recommendations", "officer",
     {"incident_id": NO_TASK, "needs": {"ambulance": 1}}, 422, "incident_id"),
    ("recommend-travel-limit-too-small", "POST", "/api/v1/dispatch/recommendations", "officer",
     {"incident_id": NO_TASK, "needs": {"ambulance": 1}, "max_travel_s": 5}, 422, "max_travel_s"),
    ("recommend-coverage-not-seconds", "POST", "/api/v1/dispatch/recommendations", "officer",
     {"incident_id": NO_TASK, "needs": {"ambulance": 1}, "coverage": {"ambulance": "soon"}}, 422, "coverage.ambulance"),
    ("recommend-as-agency", "POST", "/api/v1/dispatch/recommendations", "agency",
     {"incident_id": NO_TASK, "needs": {"ambulance": 1}}, 403, None),
    ("list-recommendations-bad-status", "GET", "/api/v1/dispatch/recommendations?status=maybe", "officer", None,
     400, "status"),
    ("list-recommendations-as-agency", "GET", "/api/v1/dispatch/recommendations", "agency", None, 403, None),
    ("read-recommendation-unknown", "GET", f"/api/v1/dispatch/recommendations/{NO_TASK}", "viewer", None, 404, None),
    ("accept-unknown", "POST", f"/api/v1/dispatch/recommendations/{NO_TASK}/accept", "officer", None, 404, None),
    ("accept-bad-unit-id", "POST", f"/api/v1/dispatch/recommendations/{NO_TASK}/accept", "officer",
     {"assignments": [{"unit_id": "x", "incident_id": NO_TASK, "need": "ambulance"}]}, 422, "assignments.0.unit_id"),
    ("accept-as-viewer", "POST", f"/api/v1/dispatch/recommendations/{NO_TASK}/accept", "viewer", None, 403, None),
    ("list-users-bad-offset", "GET", "/api/v1/users?offset=-1", "admin", None, 400, "offset"),
    ("list-users-as-officer", "GET", "/api/v1/users", "officer", None, 403, None),
    ("read-user-unknown", "GET", "/api/v1/users/nobody", "admin", None, 404, None),
    ("create-user-without-password", "POST", "/api/v1/users", "admin", {"username": "ravi", "role": "viewer"}, 422,
     "password"),
    ("create-user-as-agency", "POST", "/api/v1/users", "agency",
     {"username": "ravi", "role": "administrator", "password": "a long enough password"}, 403, None),
    ("change-user-unknown-role", "PATCH", "/api/v1/users/nobody", "admin", {"role": "mayor"}, 422, "role"),
    ("change-user-not-json", "PATCH", "/api/v1/users/nobody", "admin", ("text/plain", b"active=false"), 415, None),
    ("set-password-not-text", "PUT", "/api/v1/users/nobody/password", "admin", {"password": 12}, 422, "password"),
    ("list-tokens-bad-active", "GET", "/api/v1/tokens?active=maybe", "admin", None, 400, "active"),
    ("create-token-for-an-agency", "POST", "/api/v1/tokens", "admin", {"name": "x", "role": "agency"}, 422, "role"),
    ("create-token-bad-expiry", "POST", "/api/v1/tokens", "admin",
     {"name": "x", "role": "viewer", "expires_in_days": 0}, 422, "expires_in_days"),
    ("create-token-as-officer", "POST", "/api/v1/tokens", "officer", {"name": "x", "role": "viewer"}, 403, None),
    ("revoke-token-unknown", "POST", f"/api/v1/tokens/{NO_TASK}/revoke", "admin", None, 404, None),
    ("method-not-allowed", "DELETE", "/api/v1/incidents", "officer", None, 405, None),
    ("unknown-route", "GET", "/api/v1/nothing-here", "officer", None, 404, None),
]


@pytest.fixture(scope="module")
def world(module_store):
    """One app and one set of callers and records for every case: each case's request is refused
    and changes nothing, so the 130-odd cases need not each build the same world (a case whose
    request went through would fail on its own status before any other case could notice)."""
    store = module_store
    clock = ManualClock(datetime.now(timezone.utc).replace(microsecond=0))
    with store.transaction() as session:
        install_shipped_sops(session=session, clock=clock, actor=SYSTEM)
    settings = Settings(database_url=str(store.url), allowed_webhook_hosts=LOOPBACK, secret_key="test-key")
    app = create_app(settings, store=store, clock=clock)
    client = app.test_client()
    officer, admin, viewer = (bearer(add_token(store, clock, role, name)) for role, name in [
        (Role.DUTY_OFFICER, "night-officer"), (Role.ADMINISTRATOR, "admin"), (Role.VIEWER, "wall-screen")])
    _fire_id, fire_token, _ = add_agency(store, clock, "fire-central", "fire", "http://127.0.0.1:9/hook")
    add_agency(store, clock, "police-north", "police")
    with store.transaction() as session:
        expired = issue_token(session=session, clock=clock, name="old", role=Role.DUTY_OFFICER,
                              expires_at=clock.now() - timedelta(seconds=1))
    incident = client.post("/api/v1/incidents", json=FIRE_REPORT, headers=officer).json
    task = incident["tasks"][0]["id"]
    closed = client.post("/api/v1/incidents", json={**FIRE_REPORT, "type": "gas_leak"}, headers=officer).json["id"]
    client.post(f"/api/v1/incidents/{closed}/stand-down", json={"reason": "false alarm"}, headers=officer)
    station = client.post("/api/v1/stations", headers=admin, json={
        "code": "FS-01", "name": "Fire station 1", "agency_id": str(_fire_id), "location": POINT}).json["id"]
    unit = client.post("/api/v1/units", headers=admin, json={
        "code": "FS-01-1", "unit_type": "fire_engine", "station_id": station}).json["id"]
    callers = {"officer": officer, "admin": admin, "viewer": viewer, "agency": bearer(fire_token),
               "bogus": bearer("iccc_not-a-real-token"), "expired": bearer(expired), None: {},
               "alert_source": bearer(add_token(store, clock, Role.ALERT_SOURCE, "met-office"))}
    return app, client, callers, {"task": task, "station": station, "unit": unit, "incident": incident["id"],
                                  "closed": closed}


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_bad_input_gets_a_problem_naming_the_field(world, case):
    _name, method, path, caller, body, status, field = case
    _app, client, headers, ids = world
    kwargs = {"headers": headers[caller]}
    if isinstance(body, dict):
        body = json.loads(json.dumps(body).replace('"{station}"', json.dumps(ids["station"])))
    if isinstance(body, tuple):
        kwargs["content_type"], kwargs["data"] = body
    elif isinstance(body, bytes):
        kwargs["content_type"], kwargs["data"] = "application/json", body
    elif body is not None:
        kwargs["json"] = body
    response = client.open(path.format(**ids), method=method, **kwargs)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.content_type == "application/problem+json"
    problem = response.json
    assert problem["status"] == status and problem["title"] and problem["detail"]
    if field is not None:
        assert problem["field"] == field, problem


def test_every_api_route_has_a_bad_input_case(world):
    app, *_ = world
    covered = set()
    for _name, method, path, *_rest in CASES:
        adapter = app.url_map.bind("localhost")
        try:
            concrete = path.split("?")[0].format(task=NO_TASK, unit=NO_TASK, incident=NO_TASK, closed=NO_TASK)
            endpoint, _args = adapter.match(concrete, method=method)
            covered.add(endpoint)
        except Exception:  # noqa: BLE001 - 404/405 cases match nothing, by design
            pass
    api_endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                     if rule.rule.startswith("/api/v1") and rule.endpoint != "openapi.document"}
    assert api_endpoints - covered == set()


def test_an_invalid_sop_upload_names_the_line(world):
    _app, client, headers, _ids = world
    text = b"id: x\nversion: 1\ntitle: T\ntrigger: {incident_types: [flood]}\ntarget: 1h\nsteps:\n  - id: a\n    task: {role: army, do: y}\n"
    response = client.post("/api/v1/sops", headers=headers["admin"], data=text, content_type="application/yaml")
    assert response.status_code == 422
    assert response.json["errors"][0]["line"] == 8
