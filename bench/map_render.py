"""Benchmark: the console map's first full render of the dispatch scale network, beside a bare MapLibre page.

The network is bench/dispatch_scale.py's generated city of about 100,000 nodes (about 200,000
street segments). The engine arm is the real console: `create_app` on a fresh SQLite database,
served on 127.0.0.1 by werkzeug, a duty officer signed in, /console/map opened in Debian's
headless chromium through Playwright; it is timed from the navigation's start to the map's
first `idle` with every source loaded (the page's `data-ready`, also waiting for the units and
incidents). The baseline is a bare page of the same MapLibre build served by the same server,
loading the same streets GeoJSON into the same five line layers and nothing else, timed the same
way. Each round opens both in fresh browser contexts (nothing cached), alternating; prints the
medians and their ratio (aim <= 1.5), and what building the streets' GeoJSON cost the server.

    .venv/bin/python bench/map_render.py [--rows 317] [--repeats 3] [--port 5150]
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from coordination import SYSTEM, Role, Store
from web.app.clock import WallClock
from coordination.dispatch_service import road_map, roads
from coordination.dispatch_service.road_map import RoadMap
from coordination.planner import TravelTimes
from coordination.store.migrate import upgrade
from coordination.users import NewUser, create_user
from web.app.config import Settings
from web.app.factory import create_app

from dispatch_scenarios import make_city

SOURCE = "bench-grid"
PASSWORD = "correct horse battery staple"

BARE_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="/static/node_modules/maplibre-gl/dist/maplibre-gl.css">
<style>body{margin:0} #m{width:100vw;height:100vh}</style></head><body><div id="m"></div>
<script src="/static/node_modules/maplibre-gl/dist/maplibre-gl.js"></script>
<script>
const bounds = %(bounds)s;
const style = {version: 8, sources: {roads: {type: "geojson", data: "/console/map/base/roads.geojson", buffer: 32, tolerance: 0.5}},
  layers: [{id: "background", type: "background", paint: {"background-color": "#eef1ea"}}]};
const widths = {minor: ["#c6ccd3", 0.6, 4.5], tertiary: ["#b3bac2", 1.2, 6], secondary: ["#a3abb5", 1.5, 7],
  primary: ["#e0a84e", 2, 9], motorway: ["#d1603d", 2.5, 10]};
for (const [name, [colour, narrow, wide]] of Object.entries(widths)) style.layers.push({id: `road-${name}`, type: "line",
  source: "roads", filter: ["==", ["get", "class"], name], layout: {"line-join": "round", "line-cap": "round"},
  paint: {"line-color": colour, "line-width": ["interpolate", ["exponential", 1.6], ["zoom"], 12, narrow, 17, wide]}});
const map = new maplibregl.Map({container: "m", style, bounds: [[bounds[0], bounds[1]], [bounds[2], bounds[3]]],
  fitBoundsOptions: {padding: 20}, attributionControl: false});
map.once("load", () => { document.body.dataset.renderedAt = String(performance.now()); });
</script></body></html>"""


def serve(app, port: int):
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=317, help="grid is rows x rows nodes")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--port", type=int, default=5150)
    args = parser.parse_args()

    city = make_city(rows=args.rows, cols=args.rows, seed=args.seed)
    start = time.perf_counter()
    streets = RoadMap.of(city)
    geojson = streets.geojson_gzip
    built_s = time.perf_counter() - start
    print(f"network: {city.node_count} nodes, {len(streets.ends)} street segments; streets GeoJSON built in "
          f"{built_s:.1f} s: {len(geojson) / 1e6:.1f} MB gzip, {len(gzip.decompress(geojson)) / 1e6:.1f} MB raw")
    # The server plans and draws on this network as if ICCC_ROAD_NETWORK named it.
    road_map._maps[SOURCE] = streets
    roads._networks[SOURCE] = TravelTimes(network=city)

    folder = Path(tempfile.mkdtemp(prefix="iccc-map-render-"))
    try:
        store = Store(f"sqlite:///{folder / 'iccc.sqlite3'}")
        upgrade(store)
        with store.transaction() as session:
            create_user(session=session, clock=WallClock(), actor=SYSTEM,
                        new_user=NewUser(username="bench", display_name="Bench", role=Role.DUTY_OFFICER,
                                         password=PASSWORD))
        settings = Settings(database_url=str(store.url), allowed_webhook_hosts=frozenset({"127.0.0.1"}),
                            secret_key="bench", run_background_jobs=False, road_network=SOURCE)
        app = create_app(settings, store=store)
        app.add_url_rule("/bench/bare", "bench_bare", lambda: BARE_PAGE % {"bounds": list(streets.bounds)})
        server, thread = serve(app, args.port)
        base = f"http://127.0.0.1:{args.port}"
        with sync_playwright() as playwright:
            chromium = shutil.which("chromium")
            browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                                 args=["--no-sandbox"] if os.geteuid() == 0 else [])

            def signed_in_page():
                context = browser.new_context(base_url=base, viewport={"width": 1366, "height": 768})
                page = context.new_page()
                page.set_default_timeout(180_000)
                page.goto("/console/sign-in")
                page.get_by_label("Username").fill("bench")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in", exact=True).click()
                page.wait_for_load_state()
                return context, page

            def console() -> float:
                context, page = signed_in_page()
                page.goto("/console/map")
                page.wait_for_function("() => document.getElementById('city-map').dataset.ready === 'true'")
                assert page.evaluate("() => icccMap.queryRenderedFeatures({layers: ['road-minor']}).length") > 0
                elapsed = float(page.locator("#city-map").get_attribute("data-rendered-at"))
                context.close()
                return elapsed / 1000

            def bare() -> float:
                context, page = signed_in_page()
                page.goto("/bench/bare")
                page.wait_for_function("() => document.body.dataset.renderedAt")
                assert page.evaluate("() => map.queryRenderedFeatures({layers: ['road-minor']}).length") > 0
                elapsed = float(page.evaluate("() => document.body.dataset.renderedAt"))
                context.close()
                return elapsed / 1000

            bare()  # warm-up: the server's first request of each kind, the browser's first launch
            console_s, bare_s = [], []
            for _ in range(args.repeats):
                bare_s.append(bare())
                console_s.append(console())
            browser.close()
        server.shutdown()
        thread.join(timeout=10)
        store.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    console_median, bare_median = statistics.median(console_s), statistics.median(bare_s)
    print(f"console map, first full render: {console_median:.2f} s (runs: {', '.join(f'{s:.2f}' for s in console_s)})")
    print(f"bare MapLibre page, same data:  {bare_median:.2f} s (runs: {', '.join(f'{s:.2f}' for s in bare_s)})")
    print(f"ratio: {console_median / bare_median:.2f} (aim <= 1.5)")


if __name__ == "__main__":
    main()
