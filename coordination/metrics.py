"""Prometheus counters the service updates; `web` exposes them at /metrics."""

from prometheus_client import Counter

DELIVERIES = Counter("iccc_webhook_deliveries_total", "Webhook delivery attempts, by outcome", ["outcome"])
DEADLINES_FIRED = Counter("iccc_deadlines_fired_total", "SOP deadlines that fired, by kind", ["deadline"])
INCIDENTS_DECLARED = Counter("iccc_incidents_declared_total", "Incidents declared", ["type"])
ESCALATIONS = Counter("iccc_escalations_total", "Escalations raised, by target", ["target"])
