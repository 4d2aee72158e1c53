"""Prometheus counters the service updates; `web` exposes them at /metrics."""

from prometheus_client import Counter

DELIVERIES = Counter("iccc_webhook_deliveries_total", "Webhook delivery attempts, by outcome", ["outcome"])
DEADLINES_FIRED = Counter("iccc_deadlines_fired_total", "SOP deadlines that fired, by kind", ["deadline"])
INCIDENTS_DECLARED = Counter("iccc_incidents_declared_total", "Incidents declared", ["type"])
ESCALATIONS = Counter("iccc_escalations_total", "Escalations raised, by target", ["target"])
INTAKE_READINGS = Counter("iccc_intake_readings_total",
                          "Readings taken in, by door and outcome (stored, repeated, refused)", ["source", "outcome"])
INTAKE_REFUSALS = Counter("iccc_intake_refusals_total",
                          "Readings or messages refused (kept as intake dead letters), by door and problem",
                          ["source", "problem"])
DEVICE_ANSWERS = Counter("iccc_device_answers_total", "Devices' answers to commands taken over MQTT, by outcome "
                         "(confirmed, failed, repeated, refused)", ["outcome"])
VEHICLE_MESSAGES = Counter("iccc_vehicle_messages_total", "Unit positions and statuses taken over MQTT, by outcome",
                           ["outcome"])
