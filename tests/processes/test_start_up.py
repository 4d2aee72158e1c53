"""Start-up loads what every command needs, not the solvers or the plotting library.

OR-Tools (with the pandas its CP-SAT wrapper imports), PyVRP and matplotlib cost seconds to load
and only some requests use them; `iccc --help` and a serving `iccc serve` must not have loaded
them. bench/start_up.py prints how long `iccc --help` takes beside a bare Python start.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

LOADED_ON_USE = ("ortools", "pyvrp", "matplotlib", "pandas")
"""Top-level packages that only a plan, a relief run or a plot may load."""


def _clean_environment() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("ICCC_")}


def test_iccc_help_loads_no_solver_or_plotting_library(tmp_path):
    script = (
        "import sys\n"
        "from processes.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LOADED', __import__('json').dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[2],
                            env=_clean_environment(), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout
    loaded = set(json.loads(result.stdout.split("LOADED", 1)[1]))
    assert loaded.isdisjoint(LOADED_ON_USE), sorted(loaded & set(LOADED_ON_USE))


def _mapped_packages(pid: int) -> set[str]:
    """The packages whose compiled modules a running process has mapped (what it has imported)."""
    maps = Path(f"/proc/{pid}/maps").read_text()
    return {name for name in LOADED_ON_USE if f"/site-packages/{name}/" in maps or f"/site-packages/{name}." in maps}


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="reads /proc/PID/maps (Linux)")
def test_a_serving_iccc_serve_has_loaded_no_solver_or_plotting_library(tmp_path, _migrated_sqlite_template):
    """The real server, with its background jobs, after answering the console and the API."""
    (tmp_path / "iccc-data").mkdir()
    shutil.copyfile(_migrated_sqlite_template, tmp_path / "iccc-data" / "iccc.sqlite3")
    server = subprocess.Popen([sys.executable, "-m", "processes", "serve", "--port", "0"], cwd=tmp_path,
                              env=_clean_environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        assert line.startswith("serving on http://"), line + server.stderr.read()
        base = line.split("serving on ", 1)[1].strip()
        assert httpx.get(f"{base}api/v1/openapi.json", timeout=30).status_code == 200
        assert httpx.get(f"{base}console/sign-in", timeout=30).status_code == 200
        assert httpx.get(f"{base}api/v1/incidents", timeout=30).status_code == 401
        assert _mapped_packages(server.pid) == set()
    finally:
        server.terminate()
        server.wait(timeout=30)
