"""Operations: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from flask import Blueprint, Response
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, generate_latest
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from coordination import DeliveryStatus, is_current
from coordination.store.tables import WebhookMessage
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
    store = services().store
    try:
        store.ping()
        current = is_current(store)
    except SQLAlchemyError as error:
        return problem(503, "not-ready", "Not ready", f"database unreachable: {type(error).__name__}")
    if not current:
        return problem(503, "not-ready", "Not ready", "database schema is not current: run `iccc db upgrade`")
    return {"status": "ready"}


@blueprint.get("/metrics")
def metrics():
    """Prometheus text format: requests, deliveries by outcome, deadlines fired, outbox depth."""
    try:
        with services().store.transaction() as session:
            counts = dict(
                session.execute(
                    select(WebhookMessage.status, func.count())
                    .where(WebhookMessage.status != DeliveryStatus.DELIVERED)
                    .group_by(WebhookMessage.status)
                ).all()
            )
        for status in (DeliveryStatus.PENDING, DeliveryStatus.DEAD):
            OUTBOX_DEPTH.labels(status=status.value).set(counts.get(status, 0))
    except SQLAlchemyError:
        pass  # metrics still answer when the database does not; /readyz reports that
    return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)
