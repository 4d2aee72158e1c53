"""The trigger rules shipped with the engine (`coordination/rules/library/`), one per file."""

from __future__ import annotations

from importlib import resources

from coordination.rules.definition import RuleDefinition
from coordination.rules.loader import load_rule_text


def shipped_rule_texts() -> dict[str, str]:
    """The text of every shipped rule file, by file name."""
    folder = resources.files("coordination.rules") / "library"
    return {entry.name: entry.read_text(encoding="utf-8")
            for entry in sorted(folder.iterdir(), key=lambda item: item.name) if entry.name.endswith(".yaml")}


def shipped_rules() -> list[RuleDefinition]:
    """Load every shipped rule (validated like any upload)."""
    return [load_rule_text(text, source=f"coordination/rules/library/{name}")
            for name, text in shipped_rule_texts().items()]
