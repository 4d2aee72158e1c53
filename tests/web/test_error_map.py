"""Every error class has its HTTP status in one place, the error map (web/app/problems.py).

A new error class that the map does not know would reach a client as a 500; a view that picks a
status while catching an error would say something the map does not. Both are checked here.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest
from flask import Flask

import coordination
import sop_engine
import web
from coordination import TooManyAttempts
from sop_engine import IcccError, SopRuntimeError
from web.app.problems import STATUS_OF, register_error_handlers, status_for

ROOTS = {IcccError, coordination.CoordinationError}
"""The hierarchy's roots: never raised themselves."""

WEB = Path(web.__file__).resolve().parent


def _every_error_class() -> set[type[IcccError]]:
    for package in (sop_engine, coordination, web):
        for module in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            importlib.import_module(module.name)
    found, pending = set(), [IcccError]
    while pending:
        for subclass in pending.pop().__subclasses__():
            if subclass.__module__.split(".")[0] in {"sop_engine", "coordination", "web"}:
                found.add(subclass)
            pending.append(subclass)
    return found - ROOTS


@pytest.mark.parametrize("error_class", sorted(_every_error_class(), key=lambda c: f"{c.__module__}.{c.__name__}"),
                         ids=lambda c: c.__name__)
def test_every_error_class_of_the_engine_has_a_client_error_status(error_class):
    error = error_class.__new__(error_class)  # the status depends on the class alone
    if error_class.__name__ == "BadRequestBody":
        error.status = 400
    assert 400 <= status_for(error) < 500


def test_the_map_lists_subclasses_before_their_bases():
    for position, (error_class, _status, _slug) in enumerate(STATUS_OF):
        for earlier_class, _, _ in STATUS_OF[:position]:
            assert not issubclass(error_class, earlier_class), f"{error_class.__name__} is shadowed"


@pytest.fixture
def client():
    app = Flask(__name__)
    register_error_handlers(app)

    @app.get("/too-many")
    def too_many():
        raise TooManyAttempts("too many failed sign-ins; try again in 60 s", retry_after_s=60)

    @app.get("/finished-run")
    def finished_run():
        raise SopRuntimeError("the run has finished")

    return app.test_client()


def test_too_many_attempts_is_429_with_retry_after(client):
    response = client.get("/too-many")
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "60"
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"].startswith("too many failed sign-ins")


def test_an_event_a_run_cannot_take_is_a_conflict_not_a_server_error(client):
    response = client.get("/finished-run")
    assert response.status_code == 409
    assert response.json["detail"] == "the run has finished"


def _error_names() -> set[str]:
    return {cls.__name__ for cls in _every_error_class()} | {"ValidationError"}


def _status_literals(handler: ast.ExceptHandler) -> list[int]:
    found = []
    for node in ast.walk(handler):
        if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "abort":
            found.append(node.lineno)
        if isinstance(node, ast.keyword) and node.arg == "status" and isinstance(node.value, ast.Constant):
            found.append(node.value.lineno)
        if isinstance(node, ast.Name) and node.id == "FORM_ERROR_STATUS":
            found.append(node.lineno)
    return found


def test_no_view_picks_a_status_while_catching_an_engine_error():
    names, offences = _error_names(), []
    for path in sorted(WEB.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.ExceptHandler) or node.type is None:
                continue
            caught = [n.id if isinstance(n, ast.Name) else getattr(n, "attr", "")
                      for n in (node.type.elts if isinstance(node.type, ast.Tuple) else [node.type])]
            if set(caught) & names:
                offences += [f"{path.relative_to(WEB.parent)}:{line}" for line in _status_literals(node)]
    assert offences == [], "ask web.app.problems.status_for(error) instead"
