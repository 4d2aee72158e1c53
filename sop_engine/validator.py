"""Checks on an SOP's meaning that its shape cannot express.

References, decision options, cycles, steps that can never run, joins that can never complete,
and the critical path against the SOP's target. Pure and independent of YAML: it reads a
definition and, when it has them, the lines of the nodes it came from, so that every problem
points at the line an author must fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import networkx as nx

from sop_engine.conditions import satisfiable
from sop_engine.definition import (
    AGENCY_TARGETS,
    DecisionAction,
    DeviceCommandAction,
    EndAction,
    JoinRule,
    NotifyAction,
    SopDefinition,
    Step,
)
from sop_engine.durations import format_duration_s
from sop_engine.errors import SourceProblem

_START = "__start__"


def step_graph(definition: SopDefinition) -> nx.DiGraph:
    """Return the graph of steps: an edge from each step to every step waiting for it.

    Each edge carries `option` (the decision option it needs, or None); each node carries
    `step` (the Step) and `weight` (its duration by its deadlines, in seconds).
    """
    graph = nx.DiGraph()
    for step in definition.steps:
        graph.add_node(step.step_id, step=step, weight=step.duration_s)
    for step in definition.steps:
        for before in step.after:
            if before.step_id in graph and before.step_id != step.step_id:
                graph.add_edge(before.step_id, step.step_id, option=before.option)
    return graph


@dataclass(frozen=True)
class CriticalPath:
    """The longest chain of deadlines through an SOP."""

    step_ids: tuple[str, ...]
    duration_s: int
    durations_s: tuple[int, ...]

    def describe(self) -> str:
        return " -> ".join(
            f"{step_id} ({format_duration_s(seconds)})" for step_id, seconds in zip(self.step_ids, self.durations_s)
        )


def critical_path(definition: SopDefinition) -> CriticalPath:
    """Return the longest chain of step deadlines (the graph must be acyclic).

    Each step weighs its own deadline; the path's length is the time the SOP may take if every
    step on it uses all of its time, which must fit in the SOP's target.
    """
    graph = step_graph(definition)
    weighted = nx.DiGraph()
    weighted.add_node(_START)
    for step_id, data in graph.nodes(data=True):
        weighted.add_edge(_START, step_id, weight=data["weight"])
    for before, after in graph.edges:
        weighted.add_edge(before, after, weight=graph.nodes[after]["weight"])
    path = [node for node in nx.dag_longest_path(weighted, weight="weight", default_weight=0) if node != _START]
    durations = tuple(graph.nodes[node]["weight"] for node in path)
    return CriticalPath(tuple(path), sum(durations), durations)


def check_meaning(
    definition: SopDefinition, *, lines_by_path: dict[tuple[Any, ...], int] | None = None
) -> list[SourceProblem]:
    """Return every problem of meaning in `definition` (an empty list when it is sound)."""
    checker = _Checker(definition, lines_by_path or {})
    checker.check_ids()
    checker.check_references()
    if checker.problems:
        return checker.problems
    graph = step_graph(definition)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        cycle = []
    if cycle:
        names = [edge[0] for edge in cycle] + [cycle[0][0]]
        first = definition.step(names[0])
        checker.report(first.line, f"steps wait for each other in a cycle: {' -> '.join(names)}")
        return checker.problems
    checker.check_reachability(graph)
    if not checker.problems:  # a path through steps that can never run would only add noise
        checker.check_critical_path()
    return checker.problems


class _Checker:
    def __init__(self, definition: SopDefinition, lines: dict[tuple[Any, ...], int]):
        self.definition = definition
        self.lines = lines
        self.problems: list[SourceProblem] = []
        self.index_of = {step.step_id: index for index, step in enumerate(definition.steps)}

    def report(self, line: int, message: str, field: str = "") -> None:
        self.problems.append(SourceProblem(self.definition.source, line, message, field))

    def _line(self, step: Step, *path: Any) -> int:
        return self.lines.get(("steps", self.index_of[step.step_id], *path), step.line)

    def check_ids(self) -> None:
        seen: set[str] = set()
        for index, step in enumerate(self.definition.steps):
            if step.step_id in seen:
                line = self.lines.get(("steps", index, "id"), step.line)
                self.report(line, f"step id {step.step_id!r} is used twice", f"steps.{index}.id")
            seen.add(step.step_id)

    def check_references(self) -> None:
        steps = {step.step_id: step for step in self.definition.steps}
        for index, step in enumerate(self.definition.steps):
            for position, before in enumerate(step.after):
                line = self.lines.get(("steps", index, "after", position), step.line)
                field = f"steps.{index}.after.{position}"
                target = steps.get(before.step_id)
                if target is None:
                    self.report(line, f"step {step.step_id!r} waits for unknown step {before.step_id!r}", field)
                elif before.step_id == step.step_id:
                    self.report(line, f"step {step.step_id!r} waits for itself", field)
                elif before.option is not None and not isinstance(target.action, DecisionAction):
                    self.report(
                        line, f"step {step.step_id!r} waits for option {before.option!r} of {before.step_id!r}, "
                        f"which is a {target.kind} step, not a decision", field,
                    )
                elif before.option is not None and before.option not in target.action.options:
                    self.report(
                        line, f"decision {before.step_id!r} has no option {before.option!r}; "
                        f"its options: {', '.join(target.action.options)}", field,
                    )
            if isinstance(step.action, (DecisionAction, NotifyAction, DeviceCommandAction)):
                for position, rung in enumerate(step.escalation):
                    if rung.target in AGENCY_TARGETS:
                        self.report(
                            self.lines.get(("steps", index, "escalate", position), step.line),
                            f"step {step.step_id!r} is watched by the duty officer ({step.kind}); its ladder cannot name "
                            f"{rung.target.value}: use duty_officer or district_authority",
                            f"steps.{index}.escalate.{position}.to",
                        )
            if step.join is JoinRule.ANY and len(step.after) < 2:
                self.report(
                    self._line(step, "join"), f"step {step.step_id!r} has `join: any` but waits for "
                    f"{len(step.after)} step(s); `any` needs at least two", f"steps.{index}.join",
                )

    def check_reachability(self, graph: nx.DiGraph) -> None:
        """Find steps that can never run, and joins that need two options of one decision.

        Walks the steps in dependency order, carrying for each the decision choices it needs
        (an `all` join needs the union of its branches' needs, an `any` join only what every
        branch needs). A step is unreachable when its condition can never hold for an incident
        its trigger accepts, when it waits for an end step, or when what it waits for is
        unreachable; a join whose needs contradict each other can never complete.
        """
        trigger = self.definition.trigger
        domains = {"type": sorted(trigger.incident_types), "severity": list(trigger.severities())}
        needs: dict[str, dict[str, str]] = {}
        unreachable: dict[str, str] = {}
        for step_id in nx.topological_sort(graph):
            step: Step = graph.nodes[step_id]["step"]
            reason, step_needs = self._reach(step, needs, unreachable, domains)
            needs[step_id] = step_needs
            if reason is not None:
                unreachable[step_id] = reason
        for step in self.definition.steps:
            reason = unreachable.get(step.step_id)
            if reason is None or reason.startswith("(inherited)"):
                continue
            followers = sorted(
                name for name in nx.descendants(graph, step.step_id) if unreachable.get(name, "").startswith("(inherited)")
            )
            also = f"; so can {', '.join(followers)}" if followers else ""
            self.report(step.line, f"{reason}{also}", f"steps.{self.index_of[step.step_id]}")

    def _reach(
        self, step: Step, needs: dict[str, dict[str, str]], unreachable: dict[str, str], domains: dict
    ) -> tuple[str | None, dict[str, str]]:
        branch_needs: list[dict[str, str]] = []
        dead: list[str] = []
        for before in step.after:
            own = dict(needs.get(before.step_id, {}))
            if before.option is not None:
                own[f"{before.step_id}"] = before.option
            branch_needs.append(own)
            target = self.definition.step(before.step_id)
            if before.step_id in unreachable or isinstance(target.action, EndAction):
                dead.append(before.step_id)
        if step.join is JoinRule.ALL or len(step.after) < 2:
            if dead:
                target = self.definition.step(dead[0])
                if isinstance(target.action, EndAction) and dead[0] not in unreachable:
                    return f"step {step.step_id!r} can never run: it waits for {dead[0]!r}, an end step", {}
                return f"(inherited) waits for {dead[0]!r}", {}
            combined: dict[str, str] = {}
            for own in branch_needs:
                for decision, option in own.items():
                    if combined.get(decision, option) != option:
                        return (
                            f"join at step {step.step_id!r} can never complete: it needs decision {decision!r} "
                            f"to choose both {combined[decision]!r} and {option!r} (use `join: any`?)",
                            {},
                        )
                    combined[decision] = option
        else:
            alive = [own for before, own in zip(step.after, branch_needs) if before.step_id not in dead]
            if not alive:
                return f"(inherited) every step it waits for can never run", {}
            combined = {decision: option for decision, option in alive[0].items() if all(
                other.get(decision) == option for other in alive[1:]
            )}
        if step.when is not None and not satisfiable(step.when, domains):
            types = ", ".join(domains["type"])
            return (
                f"step {step.step_id!r} can never run: its condition `{step.when_text}` is false for every "
                f"incident this SOP starts for ({types}; severity {self.definition.trigger.min_severity.value} or above)",
                {},
            )
        return None, combined

    def check_critical_path(self) -> None:
        path = critical_path(self.definition)
        if path.duration_s > self.definition.target_s:
            line = self.lines.get(("target",), 0)
            self.report(
                line,
                f"critical path {format_duration_s(path.duration_s)} exceeds the target "
                f"{format_duration_s(self.definition.target_s)}: {path.describe()}",
                "target",
            )
