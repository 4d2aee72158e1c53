"""YAML documents with line numbers: every value's line, and validation errors mapped to lines.

Shared by the SOP loader and the dry-run script reader, so that an author always gets
`file:line: message` whatever file they got wrong.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sop_engine.document_limits import MAX_NESTING_DEPTH, integer_fits, integer_range_text
from sop_engine.errors import SopDefinitionError, SourceProblem

MAX_NODES = 200_000
"""How many values a YAML document may expand to. Aliases let a few lines stand for billions of
values (each level naming the one before ten times); no real SOP, rule or scenario comes near."""


class _DepthLimitedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a document nested deeper than `MAX_NESTING_DEPTH`."""

    _depth = 0

    def compose_node(self, parent, index):
        self._depth += 1
        try:
            if self._depth > MAX_NESTING_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_NESTING_DEPTH} levels deep", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def read_yaml(text: str, *, source: str) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse `text`; return the plain data and the line of every path in it.

    Raises:
        SopDefinitionError: YAML syntax errors, duplicate keys, an empty document, a document nested
            too deep or expanding (through aliases) to too many values, a NUL character in a value.
    """
    try:
        root = yaml.compose(text, Loader=_DepthLimitedLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(error, "problem", None) or str(error)
        raise SopDefinitionError([SourceProblem(source, line, f"YAML syntax error: {reason}")]) from error
    if root is None:
        raise SopDefinitionError([SourceProblem(source, 1, "the file is empty")])
    lines: dict[tuple[Any, ...], int] = {}
    problems: list[SourceProblem] = []
    try:
        data = _plain(root, (), lines, problems, source)
    except _TooLarge as error:
        raise SopDefinitionError([SourceProblem(source, error.line, str(error))]) from None
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


class _TooLarge(Exception):
    """Aliases make the document deeper or larger than the limits (a cycle is endlessly deep)."""

    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def _plain(node: yaml.Node, path: tuple[Any, ...], lines: dict, problems: list, source: str) -> Any:
    """Turn a YAML node into plain data, recording each path's line and refusing duplicate keys
    and values no database stores (a NUL character in text, an integer past an INTEGER column)."""
    line = node.start_mark.line + 1
    if len(path) > MAX_NESTING_DEPTH:
        raise _TooLarge(f"nested more than {MAX_NESTING_DEPTH} levels deep (through aliases)", line)
    if len(lines) >= MAX_NODES and path not in lines:
        raise _TooLarge(f"expands to more than {MAX_NODES} values (through aliases)", line)
    lines[path] = line
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
    value = _scalar(node)
    field = ".".join(str(part) for part in path)
    if isinstance(value, str) and "\x00" in value:
        problems.append(SourceProblem(source, line, f"{field}: a NUL character (\\0) is not allowed in text", field))
    elif isinstance(value, int) and not isinstance(value, bool) and not integer_fits(value):
        problems.append(SourceProblem(source, line, f"{field}: {integer_range_text()}", field))
    return value


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


