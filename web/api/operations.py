"""Operations: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest

from coordination import DeliveryStatus
from coordination.queries.operations import outbox_depths, unready_reason
from web.app.context import services
from web.app.problems import problem

blueprint = Blueprint("operations", __name__)

OUTBOX_DEPTH = Gauge("iccc_outbox_depth", "Webhook messages waiting in the outbox, by status", ["status"])


@blueprint.get("/healthz")
def healthz():
    """The process is alive (says nothing of the database)."""
    return {"status": "alive"}


@blueprint.get("/readyz")
def readyz():
    """Ready to serve: the database answers and its schema is at the newest migration."""
    reason = unready_reason(services().store)
    if reason is not None:
        return problem(503, "not-ready", "Not ready", reason)
    return {"status": "ready"}


@blueprint.get("/metrics")
def metrics():
    """Prometheus text format: requests, deliveries by outcome, deadlines fired, outbox depth."""
    counts = outbox_depths(services().store)
    if counts is not None:  # metrics still answer when the database does not; /readyz reports that
        for status in (DeliveryStatus.PENDING, DeliveryStatus.DEAD):
            OUTBOX_DEPTH.labels(status=status.value).set(counts.get(status, 0))
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
