"""Checks on an SOP's meaning that its shape cannot express: references, cycles, reachability.

Pure and independent of YAML: it reads a definition and, when it has them, the lines of the
nodes it came from, so that every problem points at the line an author must fix.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from sop_engine.definition import SopDefinition
from sop_engine.errors import SourceProblem


def step_graph(definition: SopDefinition) -> nx.DiGraph:
    """Return the graph of steps: an edge from each step to every step waiting for it."""
    graph = nx.DiGraph()
    for step in definition.steps:
        graph.add_node(step.step_id)
    for step in definition.steps:
        for before in step.after:
            if before in graph:
                graph.add_edge(before, step.step_id)
    return graph


def check_meaning(
    definition: SopDefinition, *, lines_by_path: dict[tuple[Any, ...], int] | None = None
) -> list[SourceProblem]:
    """Return every problem of meaning in `definition` (an empty list when it is sound)."""
    lines = lines_by_path or {}
    source = definition.source
    problems: list[SourceProblem] = []
    seen: set[str] = set()
    for index, step in enumerate(definition.steps):
        if step.step_id in seen:
            line = lines.get(("steps", index, "id"), step.line)
            problems.append(SourceProblem(source, line, f"step id {step.step_id!r} is used twice", f"steps.{index}.id"))
        seen.add(step.step_id)
    for index, step in enumerate(definition.steps):
        for position, before in enumerate(step.after):
            line = lines.get(("steps", index, "after", position), step.line)
            if before not in seen:
                problems.append(
                    SourceProblem(
                        source, line, f"step {step.step_id!r} waits for unknown step {before!r}",
                        f"steps.{index}.after.{position}",
                    )
                )
            elif before == step.step_id:
                problems.append(SourceProblem(source, line, f"step {step.step_id!r} waits for itself"))
    graph = step_graph(definition)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        cycle = []
    if cycle:
        names = [edge[0] for edge in cycle] + [cycle[0][0]]
        first = definition.step(names[0])
        problems.append(
            SourceProblem(source, first.line, f"steps wait for each other in a cycle: {' -> '.join(names)}")
        )
    return problems
