"""The public feed: no token, no personal data. Incidents (JSON and GeoJSON, after a per-type
delay, locations snapped to a grid) and approved public notices as CAP 1.2 alerts (an Atom feed)."""

from __future__ import annotations

import json
import uuid

from flask import Blueprint, Response, url_for
from lxml import etree
from sqlalchemy import select

from coordination import NotFound
from coordination.cap.writer import cap_datetime
from coordination.public_feed import as_geojson, published_incidents
from coordination.store.tables import PublicNotice
from web.context import public_api, query_int, services, session

blueprint = Blueprint("public", __name__)

ATOM = "http://www.w3.org/2005/Atom"
PUBLIC_CACHE = "public, max-age=60"


def _incidents() -> list[dict]:
    limit = query_int("limit", default=100, minimum=1, maximum=500)
    context = services()
    return published_incidents(session(), now=context.clock.now(), policy=context.settings.publication, limit=limit)


@blueprint.get("/public/incidents")
@public_api
def incidents():
    """Incidents the public may see (after each type's delay), newest first; no personal data."""
    return {"items": _incidents()}, 200, {"Cache-Control": PUBLIC_CACHE}


@blueprint.get("/public/incidents.geojson")
@public_api
def incidents_geojson():
    """The same incidents as a GeoJSON FeatureCollection."""
    return Response(json.dumps(as_geojson(_incidents())), mimetype="application/geo+json",
                    headers={"Cache-Control": PUBLIC_CACHE})


@blueprint.get("/public/alerts")
@public_api
def alerts_feed():
    """Approved public notices as an Atom feed of CAP 1.2 alerts, newest first."""
    limit = query_int("limit", default=50, minimum=1, maximum=500)
    notices = session().scalars(
        select(PublicNotice).where(PublicNotice.status == "approved")
        .order_by(PublicNotice.approved_at.desc(), PublicNotice.id).limit(limit)
    ).all()
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    etree.SubElement(feed, f"{{{ATOM}}}id").text = url_for("public.alerts_feed", _external=True)
    etree.SubElement(feed, f"{{{ATOM}}}title").text = f"Public alerts from {services().settings.cap_sender_name}"
    etree.SubElement(feed, f"{{{ATOM}}}updated").text = cap_datetime(
        notices[0].approved_at if notices else services().clock.now())
    for notice in notices:
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        link = url_for("public.alert", notice_id=notice.id, _external=True)
        etree.SubElement(entry, f"{{{ATOM}}}id").text = link
        etree.SubElement(entry, f"{{{ATOM}}}title").text = notice.content["headline"]
        etree.SubElement(entry, f"{{{ATOM}}}updated").text = cap_datetime(notice.approved_at)
        etree.SubElement(entry, f"{{{ATOM}}}link", href=link, type="application/cap+xml")
        content = etree.SubElement(entry, f"{{{ATOM}}}content", type="application/cap+xml")
        content.append(etree.fromstring(notice.cap_xml.encode("utf-8")))
    body = etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Response(body, mimetype="application/atom+xml", headers={"Cache-Control": PUBLIC_CACHE})


@blueprint.get("/public/alerts/<uuid:notice_id>")
@public_api
def alert(notice_id: uuid.UUID):
    """One approved public notice as a CAP 1.2 alert."""
    notice = session().get(PublicNotice, notice_id)
    if notice is None or notice.status != "approved":
        raise NotFound(f"no published alert {notice_id}")
    return Response(notice.cap_xml, mimetype="application/cap+xml", headers={"Cache-Control": PUBLIC_CACHE})
