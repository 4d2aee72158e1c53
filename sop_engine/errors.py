"""The SOP engine's errors: the root of the project's error hierarchy.

Every error the project raises on purpose derives from `IcccError`; `web` maps each family to an
HTTP status in one place. The root lives here, at the bottom of the import graph, so that every
package can extend it without importing upwards.
"""

from __future__ import annotations

from dataclasses import dataclass


class IcccError(Exception):
    """Root of every deliberate error in the engine."""


@dataclass(frozen=True)
class SourceProblem:
    """One problem in an SOP file, pointing at the line that causes it."""

    source: str
    line: int
    message: str
    field: str = ""

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


class SopDefinitionError(IcccError):
    """An SOP file is invalid; `problems` point at the offending lines."""

    def __init__(self, problems: list[SourceProblem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


class SopRuntimeError(IcccError):
    """An event cannot be applied to a run (unknown task, finished run, unknown timer)."""
