"""What the API and the console read of the rules: stored versions and the outcomes the rules
decided (the firings), as JSON-ready values. Views call these; they never query the tables."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from coordination.errors import NotFound
from coordination.rule_service.catalogue import definition_of
from coordination.rules import describe_rule
from coordination.store.tables import RuleOutcome, RuleVersion


def rule_versions_query() -> Select:
    """Every stored rule version, active ones first."""
    return select(RuleVersion).order_by(RuleVersion.is_active.desc(), RuleVersion.rule_id, RuleVersion.version.desc())


def stored_rule_version(session: Session, rule_id: str, version: int) -> RuleVersion:
    found = session.get(RuleVersion, (rule_id, version))
    if found is None:
        raise NotFound(f"rule {rule_id}@v{version} is not stored")
    return found


def rule_status(version: RuleVersion) -> str:
    if version.retired_at is not None:
        return "retired"
    return "active" if version.is_active else "inactive"


def rule_version_json(version: RuleVersion) -> dict[str, Any]:
    return {"id": version.rule_id, "version": version.version, "title": version.title,
            "sensor_kind": version.sensor_kind, "status": rule_status(version), "is_active": version.is_active,
            "uploaded_at": version.uploaded_at.isoformat(), "uploaded_by": version.uploaded_by or None,
            "activated_at": version.activated_at.isoformat() if version.activated_at else None,
            "retired_at": version.retired_at.isoformat() if version.retired_at else None}


def rule_version_detail(version: RuleVersion) -> dict[str, Any]:
    rule = definition_of(version)
    return {**rule_version_json(version), "kind": rule.kind, "unit": rule.unit or None,
            "summary": describe_rule(rule), "sensor_ids": sorted(rule.sensor_ids), "source": version.source_text}


def outcomes_query(*, incident_id: uuid.UUID | None = None, sensor_id: str | None = None,
                   rule_id: str | None = None) -> Select:
    """The outcomes the rules decided, newest first; `sensor_id` matches a sensor among the
    outcome's sensors or evidence (stored as JSON, so matched in Python by `outcome_mentions`)."""
    query = select(RuleOutcome).order_by(RuleOutcome.seq.desc())
    if incident_id is not None:
        query = query.where(RuleOutcome.incident_id == incident_id)
    if rule_id is not None:
        query = query.where(RuleOutcome.rule_id == rule_id)
    if sensor_id is not None:
        # An episode key names its scope: a per-sensor rule's sensor, or `*` (then the body says).
        query = query.where(RuleOutcome.episode.contains(f"/{sensor_id}/") | RuleOutcome.episode.contains("/*/"))
    return query


def outcome_mentions(row: RuleOutcome, sensor_id: str) -> bool:
    body = row.body or {}
    if sensor_id in body.get("sensor_ids", []):
        return True
    if any(item.get("sensor_id") == sensor_id for item in body.get("evidence", [])):
        return True
    return f"/{sensor_id}/" in row.episode


def outcomes_for_sensor(session: Session, sensor_id: str, *, limit: int = 50) -> list[RuleOutcome]:
    """The newest outcomes that concern a sensor (its own episodes and the clusters it was in)."""
    found: list[RuleOutcome] = []
    for row in session.scalars(outcomes_query(sensor_id=sensor_id).limit(limit * 10)):
        if outcome_mentions(row, sensor_id):
            found.append(row)
            if len(found) == limit:
                break
    return found


def outcomes_for_incident(session: Session, incident_id: uuid.UUID) -> list[RuleOutcome]:
    """The rules' firings that acted on an incident, oldest first: its evidence."""
    return list(session.scalars(select(RuleOutcome).where(RuleOutcome.incident_id == incident_id)
                                .order_by(RuleOutcome.seq)))


def outcome_json(row: RuleOutcome) -> dict[str, Any]:
    body = row.body or {}
    return {
        "seq": row.seq, "rule": f"{row.rule_id}@v{row.rule_version}", "episode": row.episode, "kind": row.kind,
        "observed_at": row.observed_at.isoformat(), "decided_at": row.decided_at.isoformat(),
        "acted_at": row.acted_at.isoformat() if row.acted_at else None, "result": row.result,
        "note": row.note or None, "incident_id": str(row.incident_id) if row.incident_id else None,
        "severity": body.get("severity"), "reason": body.get("reason", ""),
        "sensor_ids": body.get("sensor_ids", []),
        "location": ({"type": "Point", "coordinates": [body["longitude"], body["latitude"]]}
                     if "longitude" in body else None),
        "evidence": [{"reading_id": item["reading_id"], "sensor_id": item["sensor_id"], "value": item["value"],
                      "unit": item["unit"], "observed_at": _iso(item["observed_at"])}
                     for item in body.get("evidence", [])],
    }


def _iso(stored: str) -> str:
    """A time as the API writes every time (`+00:00`), whatever JSON encoder stored it (`Z`)."""
    return datetime.fromisoformat(stored).isoformat()
