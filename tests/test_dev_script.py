"""`./dev test` says what it installs outside the project (the browser) before it installs it."""

from __future__ import annotations

import subprocess
from pathlib import Path

DEV = Path(__file__).resolve().parent.parent / "dev"


def stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)


def run_ensure_chromium(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """The script's own `ensure_chromium`, on a PATH with no chromium and apt-get, id and sudo stubbed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub(bin_dir, "apt-get", 'echo "apt-get ran: $*" >&2')
    stub(bin_dir, "id", "echo 0")
    function = subprocess.run(["sed", "-n", "/^ensure_chromium() {/,/^}/p", str(DEV)], capture_output=True,
                              text=True, check=True).stdout
    return subprocess.run(["/bin/bash", "-c", f"{function}\nensure_chromium"], capture_output=True, text=True,
                          env={"PATH": f"{bin_dir}:/usr/bin/env-none", **env}, timeout=30)


def test_the_browser_install_is_announced_system_wide_before_apt_runs(tmp_path):
    result = run_ensure_chromium(tmp_path)
    said, installed, _ = result.stderr.partition("apt-get ran: install -y -q chromium")
    assert installed
    assert "installing Debian's 'chromium' package system-wide" in said  # said before apt-get ran
    assert "ICCC_NO_SYSTEM_INSTALL=1" in said


def test_the_browser_install_can_be_declined(tmp_path):
    result = run_ensure_chromium(tmp_path, ICCC_NO_SYSTEM_INSTALL="1")
    assert "apt-get ran" not in result.stderr and "browser tests will be skipped" in result.stderr
