"""Drawings of an SOP's step graph, with the critical path marked: DOT, Mermaid and SVG.

DOT and Mermaid are text for tools authors already use (Graphviz, GitHub, wikis). SVG is drawn
here, with a layered layout (one column per generation of steps), so that the command line
and the console can show a graph with no Graphviz installed and no network.
"""

from __future__ import annotations

from html import escape
from typing import Mapping

import networkx as nx

from sop_engine.definition import (
    DecisionAction,
    DeviceCommandAction,
    DispatchAction,
    EndAction,
    NotifyAction,
    SopDefinition,
    SpawnAction,
    Step,
    TaskAction,
    WaitAction,
)
from sop_engine.durations import format_duration_s
from sop_engine.validator import critical_path, step_graph

_SHAPES_DOT = {"task": "box", "decision": "diamond", "notify": "note", "dispatch": "box3d", "command": "cds",
               "wait": "ellipse",
               "spawn": "component", "end": "doublecircle"}


def _words(name: str) -> str:
    return name.replace("_", " ")


def step_summary(step: Step) -> str:
    """One line saying what a step does, in words, for labels and listings."""
    action = step.action
    if isinstance(action, TaskAction):
        return f"{_words(action.role.value)}: {action.instruction}"
    if isinstance(action, DecisionAction):
        return f"decide: {' / '.join(_words(option) for option in action.options)}"
    if isinstance(action, NotifyAction):
        return ("notify the public (approval)" if action.public
                else f"notify {', '.join(_words(r.value) for r in action.roles)}")
    if isinstance(action, DispatchAction):
        return "send " + ", ".join(f"{count} {_words(unit)}" for unit, count in action.units)
    if isinstance(action, DeviceCommandAction):
        return f"{_words(action.action)}: {action.devices_text}"
    if isinstance(action, WaitAction):
        return f"wait {format_duration_s(action.duration_s)}"
    if isinstance(action, SpawnAction):
        return f"open a {_words(action.incident_type)} incident"
    assert isinstance(action, EndAction)
    return f"end: {_words(action.outcome)}"


def _label(step: Step) -> str:
    summary = step_summary(step)
    if len(summary) > 48:
        summary = summary[:47] + "…"
    when = f"\nwhen {step.when_text}" if step.when is not None else ""
    deadline = f" ({format_duration_s(step.duration_s)})" if step.duration_s else ""
    return f"{step.label}{deadline}\n{summary}{when}"


def _critical_edges(definition: SopDefinition) -> tuple[set[str], set[tuple[str, str]]]:
    path = critical_path(definition).step_ids
    return set(path), set(zip(path, path[1:]))


def to_dot(definition: SopDefinition) -> str:
    """Return the step graph in Graphviz DOT, critical path in red."""
    graph = step_graph(definition)
    on_path, path_edges = _critical_edges(definition)
    lines = [f'digraph "{definition.ref}" {{', "  rankdir=LR;", '  node [fontname="sans-serif", fontsize=10];',
             f'  label="{_dot_text(definition.title)} ({definition.ref}), target {format_duration_s(definition.target_s)}";']
    for step in definition.steps:
        colour = ', color=red, penwidth=2' if step.step_id in on_path else ""
        lines.append(f'  "{step.step_id}" [shape={_SHAPES_DOT[step.kind]}, label="{_dot_text(_label(step))}"{colour}];')
    for before, after, data in graph.edges(data=True):
        attributes = []
        if data["option"]:
            attributes.append(f'label="{_dot_text(data["option"])}"')
        if (before, after) in path_edges:
            attributes.append("color=red, penwidth=2")
        if graph.nodes[after]["step"].join.value == "any":
            attributes.append("style=dashed")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f'  "{before}" -> "{after}"{suffix};')
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def to_mermaid(definition: SopDefinition) -> str:
    """Return the step graph as a Mermaid flowchart, critical path in red."""
    graph = step_graph(definition)
    on_path, path_edges = _critical_edges(definition)
    ids = {step.step_id: f"s{index}" for index, step in enumerate(definition.steps)}
    lines = ["flowchart LR"]
    for step in definition.steps:
        text = _label(step).replace('"', "'").replace("\n", "<br/>")
        opening, closing = ("{", "}") if step.kind == "decision" else ("([", "])") if step.kind == "end" else ("[", "]")
        lines.append(f'  {ids[step.step_id]}{opening}"{text}"{closing}')
    path_links = []
    for index, (before, after, data) in enumerate(graph.edges(data=True)):
        arrow = f'-->|"{data["option"]}"|' if data["option"] else "-->"
        lines.append(f"  {ids[before]} {arrow} {ids[after]}")
        if (before, after) in path_edges:
            path_links.append(str(index))
    lines.append("  classDef critical stroke:#c00,stroke-width:2px")
    if on_path:
        lines.append(f"  class {','.join(ids[name] for name in sorted(on_path))} critical")
    if path_links:
        lines.append(f"  linkStyle {','.join(path_links)} stroke:#c00,stroke-width:2px")
    return "\n".join(lines) + "\n"


_BOX_W, _BOX_H, _GAP_X, _GAP_Y, _MARGIN = 220, 64, 60, 24, 20
_FILL = {"task": "#eef4ff", "decision": "#fff4d6", "notify": "#eefaf0", "dispatch": "#f3eaff", "command": "#e6f7f7",
         "wait": "#f2f2f2",
         "spawn": "#ffeef0", "end": "#e8e8e8"}


def to_svg(definition: SopDefinition, *, states: Mapping[str, str] | None = None) -> str:
    """Return the step graph as a self-contained SVG drawing, critical path in red.

    With `states` (step id to status, from a run), each step's group also carries the class
    `state-<status>` and a title saying it, so a page can colour a running SOP.
    """
    states = states or {}
    graph = step_graph(definition)
    on_path, path_edges = _critical_edges(definition)
    columns = list(nx.topological_generations(graph))
    position: dict[str, tuple[int, int]] = {}
    for column, names in enumerate(columns):
        order = [step.step_id for step in definition.steps if step.step_id in names]
        for row, name in enumerate(order):
            position[name] = (_MARGIN + column * (_BOX_W + _GAP_X), _MARGIN + 30 + row * (_BOX_H + _GAP_Y))
    width = _MARGIN * 2 + len(columns) * (_BOX_W + _GAP_X) - _GAP_X
    height = _MARGIN * 2 + 30 + max(len(names) for names in columns) * (_BOX_H + _GAP_Y) - _GAP_Y
    title = f"{definition.title} ({definition.ref}), target {format_duration_s(definition.target_s)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="context-stroke"/></marker></defs>',
        f'<text x="{_MARGIN}" y="{_MARGIN + 12}" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    for before, after, data in graph.edges(data=True):
        x1, y1 = position[before]
        x2, y2 = position[after]
        critical = (before, after) in path_edges
        stroke = "#c00" if critical else "#666"
        dash = ' stroke-dasharray="5,3"' if graph.nodes[after]["step"].join.value == "any" else ""
        parts.append(
            f'<path class="edge{" critical" if critical else ""}" d="M {x1 + _BOX_W} {y1 + _BOX_H / 2} '
            f'C {x1 + _BOX_W + _GAP_X / 2} {y1 + _BOX_H / 2}, {x2 - _GAP_X / 2} {y2 + _BOX_H / 2}, '
            f'{x2} {y2 + _BOX_H / 2}" fill="none" stroke="{stroke}" stroke-width="{2 if critical else 1}"{dash} '
            'marker-end="url(#arrow)"/>'
        )
        if data["option"]:
            parts.append(f'<text x="{x2 - _GAP_X + 4}" y="{y2 + _BOX_H / 2 - 4}" fill="#444">'
                         f"{escape(data['option'])}</text>")
    for step in definition.steps:
        x, y = position[step.step_id]
        critical = step.step_id in on_path
        state = states.get(step.step_id)
        state_class = f" state-{escape(state)}" if state else ""
        parts.append(
            f'<g class="step {step.kind}{" critical" if critical else ""}{state_class}" id="step-{escape(step.step_id)}">'
            + (f"<title>{escape(step.label)}: {escape(state)}</title>" if state else "")
            + f'<rect x="{x}" y="{y}" width="{_BOX_W}" height="{_BOX_H}" rx="{14 if step.kind == "decision" else 4}" '
            f'fill="{_FILL[step.kind]}" stroke="{"#c00" if critical else "#444"}" stroke-width="{2 if critical else 1}"/>'
        )
        for line_number, text in enumerate(_label(step).split("\n")[:3]):
            weight = ' font-weight="bold"' if line_number == 0 else ""
            limit = 33 if line_number == 0 else 38  # the bold first line is wider per character
            shown = text if len(text) <= limit else text[:limit - 1] + "…"
            parts.append(f'<text x="{x + 8}" y="{y + 18 + line_number * 16}"{weight}>{escape(shown)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
