"""Finished replications kept by content: a stopped sweep resumes without redoing them.

A replication's key is the SHA-256 of everything its KPIs depend on: the variant's whole
scenario, the contents of the files it reads (an SOP folder, a GraphML network), its seed and
replication number, and the version of the code that runs it (a digest of the engine's own
source). Change any of these and the key changes, so a cached result is never stale; keep them
and a rerun reads the result instead of running the drill. One small JSON file per
replication, written under a temporary name and renamed, so a sweep killed mid-write leaves
no half file.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from functools import cache
from pathlib import Path

import coordination
import simulation
import sop_engine
from simulation.scenario import Scenario

ENGINE_PACKAGES = (sop_engine, coordination, simulation)
"""The code a replication runs; the web and process layers cannot change a drill's numbers."""


@cache
def code_version() -> str:
    """A digest of the engine's source files (Python and the shipped YAML it reads)."""
    digest = hashlib.sha256()
    for package in ENGINE_PACKAGES:
        root = Path(package.__file__).parent
        for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".yaml", ".json") and p.is_file()):
            digest.update(str(path.relative_to(root.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _files_read(scenario: Scenario) -> list[tuple[str, bytes]]:
    files = []
    if scenario.sops != "shipped":
        folder = scenario.path(scenario.sops)
        files += [(path.name, path.read_bytes()) for path in sorted(folder.glob("*.yaml"))]
    if scenario.city.graphml is not None:
        files.append(("graphml", scenario.path(scenario.city.graphml).read_bytes()))
    return files


def replication_key(scenario: Scenario, *, seed: int, replication: int, code: str | None = None) -> str:
    """The content hash of one replication of one variant."""
    digest = hashlib.sha256()
    digest.update(scenario.model_dump_json().encode())
    for name, content in _files_read(scenario):
        digest.update(name.encode())
        digest.update(hashlib.sha256(content).digest())
    digest.update(json.dumps({"seed": seed, "replication": replication, "code": code or code_version()}).encode())
    return digest.hexdigest()


class ReplicationCache:
    """KPIs of finished replications in a folder, one file per key."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, float] | None:
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):  # absent, or unreadable: run the replication again
            return None

    def put(self, key: str, kpis: dict[str, float]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(kpis, out)
        os.replace(temporary, path)

    def __len__(self) -> int:
        return sum(1 for _ in self.folder.glob("*/*.json"))
