"""Packaging: an installed (non-editable) copy ships every file the engine reads at run time."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("sop_engine", "coordination", "simulation", "web")


def _package_data() -> dict[str, list[str]]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        return tomllib.load(file)["tool"]["setuptools"]["package-data"]


def test_every_data_file_of_every_package_is_listed_as_package_data():
    # Files other than Python modules reach a wheel only through these globs: a template folder
    # added without its glob works in a checkout and is missing from an install.
    globs = _package_data()
    missing = []
    for package in PACKAGES:
        base = ROOT / package
        listed = {path for pattern in globs.get(package, []) for path in base.glob(pattern)}
        for path in base.rglob("*"):
            if path.is_dir() or path.suffix in {".py", ".pyc"} or "__pycache__" in path.parts:
                continue
            if "node_modules" in path.parts:  # npm's tree: only the files pages load ship (below)
                continue
            if path not in listed:
                missing.append(str(path.relative_to(ROOT)))
    assert missing == []


def test_every_npm_file_a_page_loads_is_listed_as_package_data():
    """The console's pages load the map library from the npm tree; those files, and only they, ship."""
    globs = _package_data()["web"]
    static = ROOT / "web" / "console" / "static"
    loaded = {match for template in (ROOT / "web" / "console" / "templates").rglob("*.html")
              for match in re.findall(r"filename='(node_modules/[^']+)'", template.read_text())}
    assert loaded, "the pages load nothing from npm: this test no longer guards anything"
    for name in sorted(loaded):
        assert f"console/static/{name}" in globs, name
        assert (static / name).exists() or not (static / "node_modules").exists(), f"npm ci did not install {name}"
