"""Public notices: drafted by an operator, approved by a duty officer, then published as CAP 1.2.

The CAP text is made and checked against the OASIS schema at approval and never changes after.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy.orm import Session

from coordination import audit
from coordination.cap.parsing import parse_cap_alert
from coordination.cap.writer import notice_to_cap
from coordination.clock import Clock
from coordination.errors import Forbidden, NotFound
from coordination.incidents import GeoPoint
from coordination.jurisdictions import checked_jurisdiction
from coordination.principals import Principal, Role
from coordination.store.tables import Incident, PublicWarning

Category = Literal["Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra",
                   "CBRNE", "Other"]


class NoticeCircle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    center: tuple[float, float] = Field(description="[longitude, latitude]")
    radius_km: float = Field(ge=0, le=1000)

    @model_validator(mode="after")
    def _in_range(self) -> NoticeCircle:
        GeoPoint(type="Point", coordinates=self.center)
        return self


class NoticeArea(BaseModel):
    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1, max_length=500)
    polygon: dict[str, Any] | None = None
    """A GeoJSON Polygon (its outer ring is published)."""
    circle: NoticeCircle | None = None

    @model_validator(mode="after")
    def _shape(self) -> NoticeArea:
        if self.polygon is not None:
            if self.polygon.get("type") != "Polygon":
                raise ValueError("polygon must be a GeoJSON Polygon")
            try:
                checked_jurisdiction(self.polygon, field="polygon")
            except Exception as error:  # noqa: BLE001 - re-raised as a field error
                raise ValueError(str(error)) from None
        return self


class NoticeDraft(BaseModel):
    """A public warning to publish once a duty officer approves it."""

    model_config = ConfigDict(extra="forbid")

    incident_id: uuid.UUID | None = None
    event: str = Field(min_length=1, max_length=200)
    categories: list[Category] = Field(min_length=1)
    urgency: Literal["Immediate", "Expected", "Future", "Past", "Unknown"]
    severity: Literal["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
    certainty: Literal["Observed", "Likely", "Possible", "Unlikely", "Unknown"]
    response_types: list[Literal["Shelter", "Evacuate", "Prepare", "Execute", "Avoid", "Monitor", "Assess",
                                 "AllClear", "None"]] = Field(default_factory=list)
    headline: str = Field(min_length=1, max_length=160)
    description: str = Field(default="", max_length=4000)
    instruction: str = Field(default="", max_length=4000)
    language: str = Field(default="en-IN", pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
    expires_at: datetime | None = None
    area: NoticeArea


def draft_notice(*, session: Session, clock: Clock, draft: NoticeDraft, actor: Principal) -> PublicWarning:
    """Record a notice awaiting a duty officer's approval."""
    if draft.incident_id is not None and session.get(Incident, draft.incident_id) is None:
        raise NotFound(f"incident {draft.incident_id} does not exist")
    now = clock.now()
    notice = PublicWarning(incident_id=draft.incident_id, content=draft.model_dump(mode="json"), status="draft",
                          drafted_by=actor.label, drafted_at=now)
    session.add(notice)
    session.flush()
    audit.record(session, at=now, kind="notice.drafted", actor=actor.label, incident_id=draft.incident_id,
                 summary=f"public notice drafted: {draft.headline}", data={"notice_id": str(notice.id)})
    return notice


def approve_notice(*, session: Session, clock: Clock, notice_id: uuid.UUID, actor: Principal, sender: str,
                   sender_name: str) -> PublicWarning:
    """Approve a draft: make its CAP 1.2 alert (checked against the schema) and publish it.

    Raises:
        Forbidden: only a duty officer approves public notices.
        NotFound: no such notice.

    Approving an approved notice changes nothing and returns it (idempotent).
    """
    if actor.role is not Role.DUTY_OFFICER:
        raise Forbidden("only a duty officer approves public notices")
    notice = session.get(PublicWarning, notice_id, with_for_update=session.get_bind().dialect.name == "postgresql")
    if notice is None:
        raise NotFound(f"notice {notice_id} does not exist")
    if notice.status == "approved":
        return notice
    now = clock.now()
    identifier = f"iccc-notice-{notice.id}"
    xml = notice_to_cap(content=notice.content, identifier=identifier, sender=sender, sent=now,
                        sender_name=sender_name)
    parse_cap_alert(xml)  # the engine never publishes what it would itself refuse
    notice.status, notice.approved_by, notice.approved_at = "approved", actor.label, now
    notice.cap_identifier, notice.cap_xml = identifier, xml.decode("utf-8")
    audit.record(session, at=now, kind="notice.approved", actor=actor.label, incident_id=notice.incident_id,
                 summary=f"public notice approved and published as CAP {identifier}",
                 data={"notice_id": str(notice.id), "cap_identifier": identifier})
    return notice

