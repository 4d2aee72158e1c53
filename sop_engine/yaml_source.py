"""YAML documents with line numbers: every value's line, and validation errors mapped to lines.

Shared by the SOP loader and the dry-run script reader, so that an author always gets
`file:line: message` whatever file they got wrong.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sop_engine.errors import SopDefinitionError, SourceProblem


def read_yaml(text: str, *, source: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse `text`; return the plain data and the line of every path in it.

    Raises:
        SopDefinitionError: YAML syntax errors, duplicate keys, an empty document.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(error, "problem", None) or str(error)
        raise SopDefinitionError([SourceProblem(source, line, f"YAML syntax error: {reason}")]) from error
    if root is None:
        raise SopDefinitionError([SourceProblem(source, 1, "the file is empty")])
    lines: dict[tuple[Any, ...], int] = {}
    problems: list[SourceProblem] = []
    data = _plain(root, (), lines, problems, source)
    if problems:
        raise SopDefinitionError(problems)
    if not isinstance(data, dict):
        raise SopDefinitionError([SourceProblem(source, root.start_mark.line + 1, "the document must be a mapping")])
    return data, lines


def validate_model(model: type[BaseModel], data: Any, lines: dict, *, source: str) -> Any:
    """Validate `data` with the pydantic `model`, reporting every error at its line.

    Raises:
        SopDefinitionError: one problem per validation error.
    """
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise SopDefinitionError(problems_from(error, lines, source)) from error


def _plain(node: yaml.Node, path: tuple[Any, ...], lines: dict, problems: list, source: str) -> Any:
    """Turn a YAML node into plain data, recording each path's line and refusing duplicate keys."""
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(SourceProblem(source, key_node.start_mark.line + 1, "keys must be plain words"))
                continue
            key = key_node.value
            if key in result:
                problems.append(SourceProblem(source, key_node.start_mark.line + 1, f"duplicate key {key!r}"))
                continue
            result[key] = _plain(value_node, (*path, key), lines, problems, source)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item, (*path, index), lines, problems, source) for index, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node)
    finally:
        loader.dispose()


def problems_from(error: ValidationError, lines: dict, source: str) -> list[SourceProblem]:
    problems = []
    for detail in error.errors():
        location = tuple(detail["loc"])
        line = _nearest_line(location, lines)
        field = ".".join(str(part) for part in location)
        if detail["type"] == "extra_forbidden":
            message = f"unknown key {location[-1]!r}"
        elif detail["type"] == "missing":
            message = f"missing key {location[-1]!r}"
        else:
            message = detail["msg"].removeprefix("Value error, ")
        problems.append(SourceProblem(source, line, f"{field}: {message}" if field else message, field))
    return problems


def _nearest_line(location: tuple[Any, ...], lines: dict) -> int:
    for end in range(len(location), -1, -1):
        if location[:end] in lines:
            return lines[location[:end]]
    return 1


