"""Take the README's screenshots from a real demo: run `iccc demo` in a scratch directory, let
incidents accumulate, sign in as the demo duty officer in headless Chromium at 1366x768, and save
each page as a PNG beside this file. (The recommendation's coverage before and after accepting,
docs/recommendation-coverage.png, comes from the browser test that checks it:
ICCC_SCREENSHOTS=docs pytest tests/web/browser/test_map_console.py -k recommendation.)

    .venv/bin/python docs/take_screenshots.py [--settle 75]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
ICCC = Path(sys.executable).with_name("iccc")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=75.0, help="Seconds of demo activity before the shots.")
    parser.add_argument("--port", type=int, default=0, help="The demo's port (0: any free one).")
    arguments = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="iccc-screens-"))
    environment = {key: value for key, value in os.environ.items() if not key.startswith("ICCC_")}
    output = scratch / "demo.log"  # a file, not a pipe: a pipe nobody reads would block the demo
    with output.open("w") as sink:
        demo = subprocess.Popen([str(ICCC), "demo", "--port", str(arguments.port), "--incident-every", "8", "--answer-delay", "3"],
                                cwd=scratch, env=environment, stdout=sink, stderr=subprocess.STDOUT)
    try:
        url = _wait_for_address(demo, output)
        credentials = (scratch / "iccc-data" / "demo-credentials.txt").read_text()
        password = re.search(r"password\s*[:=]\s*(\S+)", credentials, re.IGNORECASE).group(1)
        planner = re.search(r"console user planner: password (\S+)", credentials).group(1)
        fire_token = re.search(r"agency (fire-\S+) token: (\S+)", credentials).group(2)
        time.sleep(arguments.settle)
        with sync_playwright() as playwright:
            arguments_ = ["--no-sandbox"] if os.geteuid() == 0 else []
            browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=arguments_)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(url)
            page.get_by_label("Username").fill("duty-officer")
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in", exact=True).click()
            page.locator("#incidents tr[data-incident]").first.wait_for()
            page.get_by_label("Status").select_option("")
            page.wait_for_timeout(2500)
            _save(page, "board.png")
            page.get_by_role("navigation", name="Console").get_by_role("link", name="Map").click()
            page.locator("#city-map[data-ready=true]").wait_for(timeout=60_000)
            page.get_by_role("checkbox", name="Heat map of incidents").check()
            page.wait_for_timeout(2000)
            _save(page, "console-map.png")
            page.get_by_role("checkbox", name="Heat map of incidents").uncheck()
            page.get_by_role("checkbox", name=re.compile("Shade areas no free unit")).check()
            page.locator("#coverage-summary", has_text="reached within").wait_for()
            page.wait_for_timeout(1500)
            _save(page, "map-coverage.png")
            page.goto(url)
            page.locator("#incidents a", has_text="flood").first.click()
            page.wait_for_load_state("networkidle")
            _save(page, "incident.png")
            page.locator("#devices-heading").scroll_into_view_if_needed()
            page.evaluate("document.getElementById('devices-heading').scrollIntoView()")
            _save(page, "incident-devices.png")
            _agency_desk(browser, url, fire_token)
            _drill(browser, url, planner)
            browser.close()
    finally:
        demo.terminate()
        demo.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)


def _agency_desk(browser, url: str, token: str) -> None:
    """The fire agency's desk, signed in with its API token as an integration would."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(url)
    page.get_by_label("API token").fill(token)
    page.get_by_role("button", name="Sign in with the token").click()
    page.locator("article.task").first.wait_for()
    _save(page, "tasks.png")
    page.close()


def _drill(browser, url: str, password: str) -> None:
    """A drill of the preselected shipped scenario, run from the planner's page, and its report."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(url)
    page.get_by_label("Username").fill("planner")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name="Drills").wait_for()
    page.get_by_role("button", name="Run the drill").click()  # the shipped small city, preselected
    page.locator("#drill-status", has_text="done").wait_for(timeout=900_000)
    page.goto(url.rstrip("/") + page.get_by_role("link", name="The full report (index.html)").get_attribute("href"))
    _save(page, "drill-report.png")
    page.close()


def _save(page, name: str) -> None:
    page.screenshot(path=HERE / name)
    print(f"saved {HERE / name}")


def _wait_for_address(demo: subprocess.Popen, output: Path, timeout_s: float = 120) -> str:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = re.search(r"open (http://127\.0\.0\.1:\d+/)", output.read_text())
        if found:
            return found.group(1)
        if demo.poll() is not None:
            break
        time.sleep(0.5)
    raise SystemExit(f"the demo did not print its address:\n{output.read_text()[-2000:]}")


if __name__ == "__main__":
    main()
