"""The public feed: no token, no personal data. Incidents (JSON and GeoJSON, after a per-type
delay, locations snapped to a grid) and approved public notices as CAP 1.2 alerts (an Atom feed)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from flask import Blueprint, Response, url_for
from lxml import etree

from coordination import NotFound
from coordination.cap.writer import cap_datetime, notice_to_cap, sop_notice_content
from coordination.public_feed import as_geojson, published_incidents, snap
from coordination.queries.notices import (
    approved_warnings,
    find_public_warning,
    published_sop_notice,
    published_sop_notices,
)
from web.api.media_types import responds_with
from web.api.query import arg, integer, takes_query
from web.app.context import public_api, services, session

blueprint = Blueprint("public", __name__)

ATOM = "http://www.w3.org/2005/Atom"
PUBLIC_CACHE = "public, max-age=60"


INCIDENT_LIMIT = integer("limit", "How many incidents at most", default=100, minimum=1, maximum=500)


def _incidents() -> list[dict]:
    limit = arg("limit")
    context = services()
    return published_incidents(session(), now=context.clock.now(), policy=context.settings.publication, limit=limit)


@blueprint.get("/public/incidents")
@public_api
@takes_query(INCIDENT_LIMIT)
def incidents():
    """Incidents the public may see (after each type's delay), newest first; no personal data."""
    return {"items": _incidents()}, 200, {"Cache-Control": PUBLIC_CACHE}


@blueprint.get("/public/incidents.geojson")
@public_api
@takes_query(INCIDENT_LIMIT)
@responds_with("application/geo+json")
def incidents_geojson():
    """The same incidents as a GeoJSON FeatureCollection."""
    return Response(json.dumps(as_geojson(_incidents())), mimetype="application/geo+json",
                    headers={"Cache-Control": PUBLIC_CACHE})


def _published(limit: int) -> list[tuple[uuid.UUID, str, datetime, bytes]]:
    """(id, headline, published at, CAP XML) of every published notice, newest first: warnings a
    duty officer approved, and notices SOP steps published with a duty officer's approval."""
    db = session()
    warnings = approved_warnings(db, limit=limit)
    items = [(w.id, w.content["headline"], w.approved_at, w.cap_xml.encode("utf-8")) for w in warnings]
    for notice, incident in published_sop_notices(db, limit=limit):
        items.append((notice.id, notice.message[:160], notice.published_at, _sop_notice_cap(notice, incident)))
    return sorted(items, key=lambda item: (item[2], str(item[0])), reverse=True)[:limit]


def _sop_notice_cap(notice, incident) -> bytes:
    settings = services().settings
    longitude, latitude = snap(incident.longitude, incident.latitude, settings.publication.grid_degrees)
    content = sop_notice_content(message=notice.message, incident_type=incident.incident_type,
                                 severity=incident.severity.value, longitude=longitude, latitude=latitude)
    return notice_to_cap(content=content, identifier=f"iccc-notice-{notice.id}", sender=settings.cap_sender,
                         sent=notice.published_at, sender_name=settings.cap_sender_name)


@blueprint.get("/public/alerts")
@public_api
@takes_query(integer("limit", "How many alerts at most", default=50, minimum=1, maximum=500))
@responds_with("application/atom+xml")
def alerts_feed():
    """Published public notices as an Atom feed of CAP 1.2 alerts, newest first."""
    items = _published(arg("limit"))
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    etree.SubElement(feed, f"{{{ATOM}}}id").text = url_for("public.alerts_feed", _external=True)
    etree.SubElement(feed, f"{{{ATOM}}}title").text = f"Public alerts from {services().settings.cap_sender_name}"
    etree.SubElement(feed, f"{{{ATOM}}}updated").text = cap_datetime(items[0][2] if items else services().clock.now())
    for item_id, headline, published_at, xml in items:
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        link = url_for("public.alert", notice_id=item_id, _external=True)
        etree.SubElement(entry, f"{{{ATOM}}}id").text = link
        etree.SubElement(entry, f"{{{ATOM}}}title").text = headline
        etree.SubElement(entry, f"{{{ATOM}}}updated").text = cap_datetime(published_at)
        etree.SubElement(entry, f"{{{ATOM}}}link", href=link, type="application/cap+xml")
        content = etree.SubElement(entry, f"{{{ATOM}}}content", type="application/cap+xml")
        content.append(etree.fromstring(xml))
    body = etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Response(body, mimetype="application/atom+xml", headers={"Cache-Control": PUBLIC_CACHE})


@blueprint.get("/public/alerts/<uuid:notice_id>")
@public_api
@responds_with("application/cap+xml")
def alert(notice_id: uuid.UUID):
    """One published public notice as a CAP 1.2 alert."""
    db = session()
    warning = find_public_warning(db, notice_id)
    if warning is not None and warning.status == "approved":
        xml = warning.cap_xml.encode("utf-8")
    else:
        published = published_sop_notice(db, notice_id)
        if published is None:
            raise NotFound(f"no published alert {notice_id}")
        xml = _sop_notice_cap(*published)
    return Response(xml, mimetype="application/cap+xml", headers={"Cache-Control": PUBLIC_CACHE})
