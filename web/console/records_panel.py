"""The data of the incident page's records beyond the SOP: each agency task's webhook delivery
log (every attempt, status code, dead letters), the duplicate reports and CAP alerts linked to the
incident, the incident it came from, and the SOPs that could be started by hand."""

from __future__ import annotations

from collections import defaultdict

from coordination.lifecycles import IncidentStatus
from coordination.queries.incidents import cap_alerts_of, duplicate_reports_of, find_incident
from coordination.queries.tasks import deliveries_by_task
from coordination.sop_starts import startable_sops
from coordination.store import Session
from web.console.alerts import OUTCOMES as CAP_OUTCOMES


def records_context(db: Session, incident) -> dict:
    """Deliveries by task id (messages oldest first, each with its attempts), duplicate reports,
    the CAP alerts that acted on it (oldest first), the parent incident, and the SOPs that could be started by hand."""
    deliveries = defaultdict(list, {
        task_id: [{"message": delivery.message, "attempts": delivery.attempts} for delivery in found]
        for task_id, found in deliveries_by_task(db, [task.id for task in incident.tasks]).items()})
    running = {run.sop_id for run in incident.runs if run.status == "running"}
    return {
        "deliveries": deliveries,
        "duplicates": duplicate_reports_of(db, incident.id),
        "cap_outcomes": CAP_OUTCOMES,
        "cap_alerts": cap_alerts_of(db, incident.id),
        "parent": find_incident(db, incident.parent_incident_id) if incident.parent_incident_id else None,
        "startable": [sop for sop in startable_sops(db, incident_type=incident.incident_type)
                      if sop.ref.sop_id not in running] if incident.status is IncidentStatus.OPEN else [],
    }
