// The duty officer's city map: a hand-drawn SVG fed by the console's own JSON (no tiles, no CDN).
// Longitude and latitude are projected to kilometres around the city's centre (equirectangular:
// exact enough across a city); the SVG viewBox is the view, so panning and zooming only move it.
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const KM_PER_DEG_LAT = 110.574;
  const KM_PER_DEG_LON_AT_EQUATOR = 111.32;
  const SEVERITY_PX = { minor: 5, moderate: 6.5, severe: 8, extreme: 10 };
  const LIVE_EVERY_MS = 2000;

  const svg = document.getElementById("city-map");
  const urls = svg.dataset;
  const canDeclare = urls.canDeclare === "true";
  const layer = (name) => document.getElementById(`layer-${name}`);
  const locationField = document.getElementById("location");
  const locationError = document.getElementById("location-error");
  const updated = document.getElementById("map-updated");
  const roadsNote = document.getElementById("roads-note");

  let origin = null; // [lon0, lat0, cos(lat0)]
  let home = null; // the whole city, as a view
  let view = null; // {x, y, w, h} in km, the SVG viewBox
  let live = { units: [], incidents: [] };
  let stations = [];
  let placed = null; // [lon, lat] of the incident being declared
  let roadsRequest = 0;
  let roadsTimer = null;

  const project = (lon, lat) => [(lon - origin[0]) * KM_PER_DEG_LON_AT_EQUATOR * origin[2],
    -(lat - origin[1]) * KM_PER_DEG_LAT];
  const unproject = (x, y) => [origin[0] + x / (KM_PER_DEG_LON_AT_EQUATOR * origin[2]),
    origin[1] - y / KM_PER_DEG_LAT];
  const kmPerPx = () => view.w / Math.max(svg.clientWidth, 1);

  function element(name, attributes, parent) {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    if (parent) parent.append(node);
    return node;
  }

  function titled(node, text) {
    element("title", {}, node).textContent = text;
    node.setAttribute("aria-label", text);
    return node;
  }

  // The view keeps the element's aspect ratio, so the viewBox is exactly what is visible.
  function setView(x, y, w) {
    const aspect = Math.max(svg.clientHeight, 1) / Math.max(svg.clientWidth, 1);
    const maxW = home.w * 4, minW = 0.05;
    w = Math.min(Math.max(w, minW), maxW);
    view = { x, y, w, h: w * aspect };
    svg.setAttribute("viewBox", `${view.x} ${view.y} ${view.w} ${view.h}`);
    drawCentreCross();
    drawMarkers();
    scheduleRoads();
  }

  function zoomAt(factor, cx, cy) {
    const w = view.w / factor;
    const fx = (cx - view.x) / view.w, fy = (cy - view.y) / view.h;
    const aspect = view.h / view.w;
    setView(cx - fx * w, cy - fy * w * aspect, w);
  }

  function zoomCentre(factor) { zoomAt(factor, view.x + view.w / 2, view.y + view.h / 2); }

  function showWholeCity() {
    const aspect = Math.max(svg.clientHeight, 1) / Math.max(svg.clientWidth, 1);
    const w = Math.max(home.w, home.h / aspect);
    setView(home.x + home.w / 2 - w / 2, home.y + home.h / 2 - (w * aspect) / 2, w);
  }

  function svgPoint(clientX, clientY) {
    const point = svg.createSVGPoint();
    point.x = clientX; point.y = clientY;
    const local = point.matrixTransform(svg.getScreenCTM().inverse());
    return [local.x, local.y];
  }

  // --- Roads: fetched for the view (padded), major roads first, redrawn when the view settles.
  function scheduleRoads() {
    clearTimeout(roadsTimer);
    roadsTimer = setTimeout(loadRoads, 200);
  }

  async function loadRoads() {
    const pad = 0.25;
    const [west, north] = unproject(view.x - view.w * pad, view.y - view.h * pad);
    const [east, south] = unproject(view.x + view.w * (1 + pad), view.y + view.h * (1 + pad));
    const ticket = ++roadsRequest;
    const bbox = [west, south, east, north].map((v) => v.toFixed(5)).join(",");
    const response = await fetch(`${urls.roads}?bbox=${bbox}`, { credentials: "same-origin" });
    if (!response.ok || ticket !== roadsRequest) return;
    const roads = await response.json();
    const group = layer("roads");
    group.replaceChildren();
    for (const roadClass of roads.classes.slice().reverse()) {
      const d = roadClass.segments.map(([lon1, lat1, lon2, lat2]) => {
        const [x1, y1] = project(lon1, lat1), [x2, y2] = project(lon2, lat2);
        return `M${x1.toFixed(4)} ${y1.toFixed(4)}L${x2.toFixed(4)} ${y2.toFixed(4)}`;
      }).join("");
      element("path", { d, class: `road road-${roadClass.class}` }, group);
    }
    roadsNote.textContent = roads.truncated
      ? `Showing ${roads.shown} of ${roads.in_view} road segments here, major roads first: zoom in for the rest.`
      : "";
  }

  // --- Jurisdictions and stations: drawn once.
  function ringPath(ring) {
    return ring.map(([lon, lat], i) => {
      const [x, y] = project(lon, lat);
      return `${i ? "L" : "M"}${x.toFixed(4)} ${y.toFixed(4)}`;
    }).join("") + "Z";
  }

  function drawJurisdictions(collection) {
    const group = layer("jurisdictions");
    group.replaceChildren();
    for (const feature of collection.features) {
      const polygons = feature.geometry.type === "Polygon" ? [feature.geometry.coordinates] : feature.geometry.coordinates;
      const d = polygons.map((rings) => rings.map(ringPath).join("")).join("");
      const p = feature.properties;
      titled(element("path", { d, class: `jurisdiction kind-${p.kind}`, "fill-rule": "evenodd", role: "img" }, group),
        `Jurisdiction of ${p.name} (${p.code}, ${p.kind.replaceAll("_", " ")})`);
    }
  }

  // --- Markers keep their size on screen, so they are redrawn at each zoom.
  function marker(group, lon, lat, px, draw) {
    const [x, y] = project(lon, lat);
    const g = element("g", { transform: `translate(${x} ${y}) scale(${kmPerPx()})` }, group);
    draw(g, px);
    return g;
  }

  function drawMarkers() {
    if (!origin) return;
    const stationLayer = layer("stations");
    stationLayer.replaceChildren();
    for (const { geometry, properties: p } of stations) {
      const g = marker(stationLayer, ...geometry.coordinates, 9, (g, s) =>
        element("path", { d: `M0 ${-s}L${s} ${s * 0.8}L${-s} ${s * 0.8}Z`, class: "station" }, g));
      g.setAttribute("role", "img");
      titled(g, `Station ${p.code}: ${p.name} (${p.agency})`);
      if (kmPerPx() < 0.01) element("text", { x: 9, y: 4, class: "label" }, g).textContent = p.code;
    }
    const unitLayer = layer("units");
    unitLayer.replaceChildren();
    for (const { geometry, properties: p } of live.units) {
      const g = marker(unitLayer, ...geometry.coordinates, 3.5, (g, s) =>
        element("rect", { x: -s, y: -s, width: 2 * s, height: 2 * s, class: `unit status-${p.status}` }, g));
      g.setAttribute("role", "img");
      g.dataset.unit = p.code;
      titled(g, `Unit ${p.code}, ${p.unit_type.replaceAll("_", " ")} of ${p.agency}: ${p.status.replaceAll("_", " ")}`);
    }
    const incidentLayer = layer("incidents");
    // Redrawn every refresh: keep the keyboard's place on the incident it was on.
    const focused = focusedIncident();
    incidentLayer.replaceChildren();
    for (const { geometry, properties: p } of live.incidents) {
      const link = element("a", { href: p.url, class: "incident-link" }, incidentLayer);
      link.dataset.incident = p.id;
      if (focused && focused.id === p.id && focused.where === "map") link.focus();
      const g = marker(link, ...geometry.coordinates, SEVERITY_PX[p.severity] || 6, (g, s) =>
        element("circle", { r: s, class: `incident severity-${p.severity}` }, g));
      titled(link, `${p.severity} ${p.type.replaceAll("_", " ")}${p.is_exercise ? " (exercise)" : ""}` +
        `${p.place_name ? ` at ${p.place_name}` : ""}, declared ${new Date(p.declared_at).toLocaleTimeString()}`);
      void g;
    }
    const placedLayer = layer("placed");
    placedLayer.replaceChildren();
    if (placed) {
      const g = marker(placedLayer, placed[0], placed[1], 9, (g, s) => {
        element("circle", { r: s, class: "placed-ring" }, g);
        element("path", { d: `M${-s} 0H${s}M0 ${-s}V${s}`, class: "placed-cross" }, g);
      });
      g.setAttribute("role", "img");
      titled(g, "The new incident's place");
    }
  }

  function drawCentreCross() {
    const group = document.getElementById("centre-cross");
    group.replaceChildren();
    const s = 8 * kmPerPx(), cx = view.x + view.w / 2, cy = view.y + view.h / 2;
    element("path", { d: `M${cx - s} ${cy}H${cx + s}M${cx} ${cy - s}V${cy + s}` }, group);
  }

  function focusedIncident() {
    const active = document.activeElement;
    const holder = active && active.closest ? active.closest("[data-incident]") : null;
    if (!holder) return null;
    return { id: holder.dataset.incident, where: holder.closest("#city-map") ? "map" : "list" };
  }

  function renderLists() {
    const list = document.getElementById("open-incidents");
    const focused = focusedIncident();
    list.replaceChildren();
    for (const { properties: p } of live.incidents) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = p.url;
      a.textContent = `${p.severity} ${p.type.replaceAll("_", " ")}${p.is_exercise ? " (exercise)" : ""}`;
      a.className = `severity-${p.severity}`;
      a.dataset.incident = p.id;
      li.append(a, ` — ${p.place_name ? `${p.place_name}, ` : ""}${new Date(p.declared_at).toLocaleTimeString()}`);
      list.append(li);
      if (focused && focused.id === p.id && focused.where === "list") a.focus();
    }
    if (!live.incidents.length) list.innerHTML = "<li>No open incidents.</li>";
    const counts = {};
    for (const { properties: p } of live.units) counts[p.status] = (counts[p.status] || 0) + 1;
    document.getElementById("unit-summary").textContent = live.units.length
      ? "Units: " + Object.entries(counts).map(([s, n]) => `${n} ${s.replaceAll("_", " ")}`).join(", ")
      : "No units registered.";
  }

  async function refreshLive() {
    try {
      const response = await fetch(urls.live, { credentials: "same-origin" });
      if (response.status === 401) { window.location.reload(); return; }
      if (!response.ok) return;
      const data = await response.json();
      live = { now: data.now, units: data.units.features, incidents: data.incidents.features };
      drawMarkers();
      renderLists();
      updated.textContent = "updated " + new Date(live.now).toLocaleTimeString();
    } catch (error) {
      updated.textContent = "connection lost; retrying";
      console.error(error);
    }
  }

  // --- Declaring: a click (not a drag) or Enter places the incident; "Find" looks a name up.
  function place(lon, lat) {
    if (!canDeclare) return;
    placed = [lon, lat];
    locationField.value = `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
    document.getElementById("location-found").textContent = "";
    showLocationError("");
    drawMarkers();
  }

  function showLocationError(message) {
    locationError.textContent = message;
    if (message) {
      locationField.setAttribute("aria-invalid", "true");
      locationField.setAttribute("aria-describedby", "location-help location-error");
    } else {
      locationField.removeAttribute("aria-invalid");
      locationField.setAttribute("aria-describedby", "location-help");
    }
  }

  async function findPlace() {
    const response = await fetch(`${urls.places}?q=${encodeURIComponent(locationField.value)}`,
      { credentials: "same-origin" });
    const body = await response.json();
    if (!response.ok) {
      document.getElementById("location-found").textContent = "";
      showLocationError(body.detail || "not found");
      return;
    }
    const [lon, lat] = body.location.coordinates;
    placed = [lon, lat];
    showLocationError("");
    document.getElementById("location-found").textContent = `Found: ${body.name} (${body.kind})`;
    locationField.value = body.kind === "coordinates" ? body.name : locationField.value;
    const [x, y] = project(lon, lat);
    setView(x - view.w / 2, y - view.h / 2, view.w);
  }

  function wire() {
    let drag = null;
    svg.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, view: { ...view }, moved: false, id: event.pointerId };
    });
    svg.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) { drag.moved = true; svg.setPointerCapture(drag.id); svg.classList.add("dragging"); }
      const scale = drag.view.w / svg.clientWidth;
      setView(drag.view.x - dx * scale, drag.view.y - dy * scale, drag.view.w);
    });
    svg.addEventListener("pointerup", (event) => {
      if (!drag) return;
      const wasDrag = drag.moved;
      drag = null;
      svg.classList.remove("dragging");
      if (wasDrag || event.target.closest("a")) return;
      const [x, y] = svgPoint(event.clientX, event.clientY);
      place(...unproject(x, y));
    });
    svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const [x, y] = svgPoint(event.clientX, event.clientY);
      zoomAt(event.deltaY < 0 ? 1.25 : 0.8, x, y);
    }, { passive: false });
    svg.addEventListener("keydown", (event) => {
      if (event.target !== svg) return; // Enter on an incident's link follows the link
      const step = 0.15;
      const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      if (moves[event.key]) {
        const [fx, fy] = moves[event.key];
        setView(view.x + fx * view.w, view.y + fy * view.h, view.w);
      } else if (event.key === "+" || event.key === "=") zoomCentre(1.5);
      else if (event.key === "-" || event.key === "_") zoomCentre(1 / 1.5);
      else if (event.key === "0" || event.key === "Home") showWholeCity();
      else if (event.key === "Enter" || event.key === " ") place(...unproject(view.x + view.w / 2, view.y + view.h / 2));
      else return;
      event.preventDefault();
    });
    for (const button of document.querySelectorAll("[data-zoom]")) {
      button.addEventListener("click", () => {
        const how = button.dataset.zoom;
        if (how === "in") zoomCentre(1.5); else if (how === "out") zoomCentre(1 / 1.5); else showWholeCity();
      });
    }
    for (const box of document.querySelectorAll("[data-layer]")) {
      box.addEventListener("change", () => { layer(box.dataset.layer).style.display = box.checked ? "" : "none"; });
    }
    const find = document.getElementById("find-place");
    if (find) find.addEventListener("click", findPlace);
    window.addEventListener("resize", () => setView(view.x, view.y, view.w));
  }

  async function start() {
    const response = await fetch(urls.layers, { credentials: "same-origin" });
    if (!response.ok) { updated.textContent = "the map's data could not be loaded"; return; }
    const layers = await response.json();
    const [west, south, east, north] = layers.bounds;
    origin = [(west + east) / 2, (south + north) / 2, Math.cos(((south + north) / 2) * Math.PI / 180)];
    const [x0, y0] = project(west, north), [x1, y1] = project(east, south);
    home = { x: x0, y: y0, w: Math.max(x1 - x0, 0.5), h: Math.max(y1 - y0, 0.5) };
    stations = layers.stations.features;
    drawJurisdictions(layers.jurisdictions);
    wire();
    showWholeCity();
    await refreshLive();
    svg.dataset.ready = "true";
    setInterval(refreshLive, LIVE_EVERY_MS);
  }

  start();
})();
