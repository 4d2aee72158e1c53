"""A reading's band as the active rules see it: normal below every rule's mark, else the
severity the rule would give it (moderate, severe, extreme). Pure: the rule book is passed in."""

from __future__ import annotations

from coordination.rules import RuleBook
from coordination.rules.definition import Correlation, Threshold

NORMAL = "normal"
BANDS = (NORMAL, "moderate", "severe", "extreme")


def band_of(book: RuleBook, *, sensor_id: str, kind: str, unit: str, value: float | None) -> str | None:
    """The highest band any active threshold or correlation rule of the sensor gives `value`;
    None when no such rule watches the sensor (or there is no reading)."""
    if value is None:
        return None
    found: str | None = None
    for rule in book.for_kind(kind):
        condition = rule.condition
        if not rule.applies_to(sensor_id, kind, unit) or not isinstance(condition, (Threshold, Correlation)):
            continue
        mark = condition.level if isinstance(condition, Threshold) else condition.mark_of(sensor_id)
        band = rule.severity_for(value).value if rule.direction.reaches(value, mark) else NORMAL
        if found is None or BANDS.index(band) > BANDS.index(found):
            found = band
    return found
