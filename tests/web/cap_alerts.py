"""A small CAP 1.2 alert builder for the API tests (the reference alerts are in ../shared/data/cap)."""

from __future__ import annotations

SENDER = "imd-bengaluru@example"


def cap_alert(identifier: str, *, status: str = "Actual", msg_type: str = "Alert", severity: str = "Severe",
              references: str | None = None, sent: str = "2026-07-01T09:00:00+05:30") -> bytes:
    refs = f"<references>{SENDER},{references},{sent}</references>" if references else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier><sender>{SENDER}</sender><sent>{sent}</sent>
  <status>{status}</status><msgType>{msg_type}</msgType><scope>Public</scope>{refs}
  <info>
    <category>Met</category><event>Flash flood</event><urgency>Immediate</urgency>
    <severity>{severity}</severity><certainty>Observed</certainty><senderName>IMD Bengaluru</senderName>
    <headline>Flash flooding in Ward 5</headline>
    <area><areaDesc>Ward 5</areaDesc>
      <polygon>12.9,77.5 12.9,77.6 13.0,77.6 13.0,77.5 12.9,77.5</polygon></area>
  </info>
</alert>""".encode("utf-8")
