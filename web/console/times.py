"""Times as people read them: the browser's local clock time with how long ago (or how soon),
never an ISO string with microseconds.

The server writes `<time datetime="…">` with the time in UTC to the second, so the page reads
right without scripts; `local-times.js` rewrites it to the reader's local time and keeps the
relative part ("3 min ago", "in 5 min") current.
"""

from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint
from markupsafe import Markup, escape

blueprint = Blueprint("times", __name__)


@blueprint.app_template_filter("when")
def when(moment: datetime | None) -> Markup:
    """`<time datetime="2026-12-05T07:05:03Z" data-local>07:05:03 UTC</time>` (empty for None)."""
    if moment is None:
        return Markup("")
    utc = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    stamp = utc.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Markup(f'<time datetime="{escape(stamp)}" data-local>{utc:%H:%M:%S} UTC</time>')
