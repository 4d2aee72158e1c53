"""The SOPs shipped with the engine, and the choice of SOP for an incident."""

from __future__ import annotations

from importlib import resources
from typing import Iterable

from sop_engine.definition import SopDefinition
from sop_engine.loader import load_sop_text
from sop_engine.vocabulary import Severity


def shipped_sop_texts() -> dict[str, str]:
    """Return the text of every SOP file shipped in `sop_engine/library`, by file name."""
    folder = resources.files("sop_engine") / "library"
    return {
        entry.name: entry.read_text(encoding="utf-8")
        for entry in sorted(folder.iterdir(), key=lambda item: item.name)
        if entry.name.endswith(".yaml")
    }


def shipped_sops() -> list[SopDefinition]:
    """Load every shipped SOP (they are validated like any upload)."""
    return [load_sop_text(text, source=f"sop_engine/library/{name}") for name, text in shipped_sop_texts().items()]


def matching_sop(
    sops: Iterable[SopDefinition], *, incident_type: str, severity: Severity
) -> SopDefinition | None:
    """Return the SOP that an incident of this type and severity starts, or None.

    Where several match, the one with the highest minimum severity wins (the most specific
    response), then the lowest id, so that the choice never depends on storage order.
    """
    candidates = [sop for sop in sops if sop.trigger.matches(incident_type, severity)]
    if not candidates:
        return None
    return min(candidates, key=lambda sop: (-sop.trigger.min_severity.rank, sop.ref.sop_id))
