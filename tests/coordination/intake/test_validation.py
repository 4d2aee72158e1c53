"""Every door's records are held to the same checks against the registry: each refused record
says which check and why; the rest become readings with an id from their sensor and time."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from coordination.intake import ReadingRetention, SensorFacts, validate
from coordination.intake.ngsi_ld import decode_notification
from coordination.intake.senml import decode_pack
from coordination.sensors import SHIPPED_KINDS

NOW = datetime(2026, 7, 1, 6, 0, tzinfo=timezone.utc)
REGISTRY = {
    "drain-1": SensorFacts("drain-1", "water_level", "m", 77.59, 12.97, "municipal-corp", 60),
    "button-1": SensorFacts("button-1", "panic_button", "", 77.6, 12.98, "police-central", 3600),
}


def checked(pack: bytes, topic_sensor=None):
    return validate(decode_pack(pack, now=NOW), registry=REGISTRY, kinds=SHIPPED_KINDS, now=NOW,
                    retention=ReadingRetention(), topic_sensor=topic_sensor)


def test_a_good_reading_gets_an_id_from_its_sensor_and_time():
    readings, refusals = checked(b'[{"n":"drain-1","u":"m","v":0.8,"t":-5},{"n":"button-1","vb":true}]')
    assert refusals == []
    assert [(item.sensor_id, item.value, item.unit) for item in readings] == [("drain-1", 0.8, "m"),
                                                                             ("button-1", 1.0, "")]
    assert readings[0].reading_id == f"drain-1@{(NOW - timedelta(seconds=5)).isoformat(timespec='microseconds')}"


def test_a_urn_names_the_sensor_by_its_last_part():
    readings, _ = checked(b'[{"bn":"urn:dev:ow:","n":"drain-1","u":"m","v":0.8}]')
    assert readings[0].sensor_id == "drain-1"


@pytest.mark.parametrize(("pack", "topic", "problem", "reason"), [
    (b'[{"n":"drain-9","u":"m","v":1}]', None, "unknown_sensor", "no sensor of that name is registered"),
    (b'[{"n":"drain-1","u":"cm","v":80}]', None, "unit", "unit 'cm', but drain-1 reports in 'm'"),
    (b'[{"n":"drain-1","v":0.8}]', None, "unit", "no unit, but drain-1 reports in 'm'"),
    (b'[{"n":"drain-1","u":"m","v":250}]', None, "impossible_value",
     "250 m is impossible for a water_level sensor (possible: -20 to 100)"),
    (b'[{"n":"button-1","v":7}]', None, "impossible_value", "7  is impossible for a panic_button"),
    (b'[{"n":"drain-1","u":"m","v":0.8,"t":3600}]', None, "future", "more than 300 s ahead of the engine's clock"),
    (b'[{"n":"drain-1","u":"m","v":0.8,"t":-864000}]', None, "too_old", "older than the 7-day retention"),
    (b'[{"n":"drain-1","u":"m","v":0.8}]', "button-1", "topic", "published on the topic of 'button-1'"),
    (b'[{"n":"drain-1","vs":"high"}]', None, "malformed", "this engine takes numbers"),
])
def test_each_bad_record_is_refused_saying_which_check_and_why(pack, topic, problem, reason):
    readings, refusals = checked(pack, topic)
    assert readings == []
    [refusal] = refusals
    assert (refusal.problem, reason in refusal.reason) == (problem, True), refusal.reason
    assert refusal.reason.startswith("record 0 (")
    assert refusal.payload.startswith("{")


def test_one_bad_record_does_not_refuse_the_others():
    readings, refusals = checked(b'[{"n":"drain-1","u":"m","v":0.8},{"n":"drain-9","u":"m","v":1}]')
    assert len(readings) == 1 and [item.problem for item in refusals] == ["unknown_sensor"]


def test_an_ngsi_ld_notification_gives_the_property_named_after_the_kind():
    notification = {
        "id": "urn:ngsi-ld:Notification:1", "type": "Notification", "subscriptionId": "urn:ngsi-ld:Subscription:1",
        "notifiedAt": "2026-07-01T05:59:00Z",
        "data": [
            {"id": "urn:ngsi-ld:WaterLevelSensor:drain-1", "type": "WaterLevelSensor",
             "waterLevel": {"type": "Property", "value": 0.9, "unitCode": "MTR", "observedAt": "2026-07-01T05:58:30Z"},
             "batteryLevel": {"type": "Property", "value": 0.3}},
            {"id": "urn:ngsi-ld:Device:button-1", "type": "Device", "value": {"type": "Property", "value": True}},
            {"id": "urn:ngsi-ld:WaterLevelSensor:drain-1", "type": "WaterLevelSensor",
             "waterLevel": {"type": "Property", "value": 90, "unitCode": "CMT"}},
            {"id": "urn:ngsi-ld:WaterLevelSensor:drain-1", "type": "WaterLevelSensor"},
        ]}
    records = decode_notification(json.dumps(notification).encode(), registry=REGISTRY, now=NOW)
    readings, refusals = validate(records, registry=REGISTRY, kinds=SHIPPED_KINDS, now=NOW,
                                  retention=ReadingRetention())
    assert [(item.sensor_id, item.value, item.unit, item.observed_at.minute) for item in readings] == [
        ("drain-1", 0.9, "m", 58), ("button-1", 1.0, "", 59)]
    assert [item.problem for item in refusals] == ["unit", "malformed"]
    assert "no Property named waterLevel or water_level or value" in refusals[1].reason
