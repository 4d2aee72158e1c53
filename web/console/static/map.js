// The duty officer's city map, drawn by MapLibre GL JS (WebGL, vector data) from the console's
// own GeoJSON: the streets of the dispatch network (and the OSM file's water, parks and
// buildings when the network came from one), jurisdictions, stations, units, open incidents,
// a heat map of past incidents and live coverage. No tiles, no glyphs, no CDN: labels are HTML
// markers, so nothing is fetched from outside the application.
(function () {
  "use strict";
  const LIVE_EVERY_MS = 2000;
  const COVERAGE_EVERY_MS = 10000;
  const STALE_FIX_S = 600; // a unit whose last fix is older than this is drawn faded
  const SEVERITY_COLOUR = { minor: "#f4a261", moderate: "#e76f51", severe: "#c1121f", extreme: "#6a040f" };
  const SEVERITY_RADIUS = { minor: 6, moderate: 7.5, severe: 9, extreme: 11 };
  const STATUS_COLOUR = {
    available: "#2a9d8f", returning: "#8ab17d", dispatched: "#e76f51", en_route: "#e76f51",
    on_scene: "#e76f51", out_of_service: "#8d99ae",
  };
  const BAND_COLOUR = { normal: "#3a86ff", moderate: "#f4a261", severe: "#c1121f", extreme: "#6a040f", none: "#7b2cbf" };
  // A device by its last command: confirmed, on its way (queued or sent), failed or overdue, never.
  const DEVICE_COLOUR = { confirmed: "#2a9d8f", queued: "#f4a261", sent: "#f4a261", failed: "#c1121f", overdue: "#c1121f" };
  const KIND_COLOURS = ["#4a7fb5", "#c05746", "#5f9e6e", "#9b6fb0", "#c2913b", "#3d8f99", "#b5577e", "#6d7f3a"];
  const ROAD_STYLE = { // colour, width at zoom 12, width at zoom 17
    motorway: ["#d1603d", 2.5, 10], primary: ["#e0a84e", 2, 9], secondary: ["#a3abb5", 1.5, 7],
    tertiary: ["#b3bac2", 1.2, 6], minor: ["#c6ccd3", 0.6, 4.5],
  };
  // Which MapLibre layers each toggle shows or hides.
  const TOGGLES = {
    roads: Object.keys(ROAD_STYLE).map((c) => `road-${c}`), water: ["water"], parks: ["parks"],
    buildings: ["buildings"], jurisdictions: ["jurisdictions-fill", "jurisdictions-line"],
    stations: ["stations"], units: ["units"], incidents: ["incidents"], sensors: ["sensors"], heat: ["heat"],
    coverage: ["coverage"], devices: ["devices"],
  };
  const CLICKABLE = ["incidents", "units", "stations", "sensors", "devices", "jurisdictions-fill"];

  const container = document.getElementById("city-map");
  const urls = container.dataset;
  const canDeclare = urls.canDeclare === "true";
  const baseLayers = (urls.baseLayers || "").split(",").filter(Boolean);
  const locationField = document.getElementById("location");
  const locationError = document.getElementById("location-error");
  const updated = document.getElementById("map-updated");
  const details = document.getElementById("map-details");
  const labels = { jurisdictions: [], stations: [] }; // HTML markers, toggled with their layer

  let map = null;
  let bounds = null;
  let live = { units: [], incidents: [] };
  let placedMarker = null;
  let coverageTicket = 0;

  const text = (value) => String(value ?? "").replaceAll("_", " ");
  const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const collection = (features) => ({ type: "FeatureCollection", features: features || [] });

  function age(seconds) {
    if (seconds == null) return "no fix yet (at its station)";
    if (seconds < 90) return `${Math.round(seconds)} s ago`;
    if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
    return `${(seconds / 3600).toFixed(1)} h ago`;
  }

  function kindColour(kinds) {
    const expression = ["match", ["get", "kind"]];
    kinds.forEach((kind, i) => expression.push(kind, KIND_COLOURS[i % KIND_COLOURS.length]));
    expression.push(KIND_COLOURS[0]);
    return kinds.length ? expression : KIND_COLOURS[0];
  }

  function triangleImage(fill) {
    const size = 28, canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const g = canvas.getContext("2d");
    g.beginPath(); g.moveTo(size / 2, 2); g.lineTo(size - 2, size - 3); g.lineTo(2, size - 3); g.closePath();
    g.fillStyle = fill; g.strokeStyle = "#fff"; g.lineWidth = 2; g.fill(); g.stroke();
    return g.getImageData(0, 0, size, size);
  }

  function squareImage(fill) {
    const size = 22, canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const g = canvas.getContext("2d");
    g.fillStyle = fill; g.strokeStyle = "#14213d"; g.lineWidth = 3;
    g.fillRect(3, 3, size - 6, size - 6); g.strokeRect(3, 3, size - 6, size - 6);
    return g.getImageData(0, 0, size, size);
  }

  function htmlLabel(lngLat, textContent, className) {
    const element = document.createElement("div");
    element.className = `map-label ${className}`;
    element.textContent = textContent;
    element.setAttribute("aria-hidden", "true"); // the side panel and the details say it to screen readers
    return new maplibregl.Marker({ element, anchor: "center" }).setLngLat(lngLat).addTo(map);
  }

  function baseStyle(layers, firstLive) {
    const style = {
      version: 8,
      sources: {
        roads: { type: "geojson", data: urls.roads, buffer: 32, tolerance: 0.5 },
        jurisdictions: { type: "geojson", data: layers.jurisdictions },
        stations: { type: "geojson", data: layers.stations },
        units: { type: "geojson", data: firstLive.units },
        incidents: { type: "geojson", data: firstLive.incidents },
        heat: { type: "geojson", data: collection() },
        coverage: { type: "geojson", data: collection() },
        sensors: { type: "geojson", data: collection() },
        devices: { type: "geojson", data: collection() },
      },
      layers: [{ id: "background", type: "background", paint: { "background-color": "#eef1ea" } }],
    };
    for (const name of baseLayers.filter((n) => n !== "roads")) {
      style.sources[name] = { type: "geojson", data: urls.roads.replace(/roads\.geojson$/, `${name}.geojson`) };
    }
    if (baseLayers.includes("water")) style.layers.push({ id: "water", type: "fill", source: "water", paint: { "fill-color": "#a8cbe6" } });
    if (baseLayers.includes("parks")) style.layers.push({ id: "parks", type: "fill", source: "parks", paint: { "fill-color": "#c5e1b4" } });
    if (baseLayers.includes("buildings")) {
      style.layers.push({ id: "buildings", type: "fill", source: "buildings", minzoom: 13,
        paint: { "fill-color": "#d9d4cc", "fill-outline-color": "#c4beb4" } });
    }
    const kinds = [...new Set(layers.jurisdictions.features.map((f) => f.properties.kind))].sort();
    style.layers.push(
      { id: "jurisdictions-fill", type: "fill", source: "jurisdictions",
        paint: { "fill-color": kindColour(kinds), "fill-opacity": 0.14 } },
      { id: "coverage", type: "fill", source: "coverage", layout: { visibility: "none" },
        paint: { "fill-color": "#d00000", "fill-opacity": 0.32 } },
    );
    for (const roadClass of ["minor", "tertiary", "secondary", "primary", "motorway"]) {
      const [colour, narrow, wide] = ROAD_STYLE[roadClass];
      style.layers.push({ id: `road-${roadClass}`, type: "line", source: "roads", filter: ["==", ["get", "class"], roadClass],
        layout: { "line-join": "round", "line-cap": "round" },
        paint: { "line-color": colour, "line-width": ["interpolate", ["exponential", 1.6], ["zoom"], 12, narrow, 17, wide] } });
    }
    style.layers.push(
      { id: "jurisdictions-line", type: "line", source: "jurisdictions",
        paint: { "line-color": kindColour(kinds), "line-width": 1.5, "line-dasharray": [3, 2] } },
      { id: "heat", type: "heatmap", source: "heat", layout: { visibility: "none" },
        paint: { "heatmap-radius": ["interpolate", ["linear"], ["zoom"], 10, 12, 16, 40], "heatmap-opacity": 0.75,
                 "heatmap-weight": ["get", "weight"] } },
      { id: "stations", type: "symbol", source: "stations",
        layout: { "icon-image": "station", "icon-allow-overlap": true, "icon-size": ["interpolate", ["linear"], ["zoom"], 11, 0.8, 16, 1.2] } },
      { id: "units", type: "circle", source: "units",
        paint: { "circle-radius": ["interpolate", ["linear"], ["zoom"], 11, 3, 16, 6],
                 "circle-color": ["match", ["get", "status"], ...Object.entries(STATUS_COLOUR).flat(), "#555"],
                 "circle-opacity": ["case", [">", ["coalesce", ["get", "seen_s"], 0], STALE_FIX_S], 0.35, 1],
                 "circle-stroke-color": "#fff", "circle-stroke-width": 1 } },
      { id: "sensors", type: "circle", source: "sensors",
        paint: { "circle-radius": 5.5, "circle-stroke-color": "#fff", "circle-stroke-width": 1.5,
                 "circle-color": ["match", ["coalesce", ["get", "band"], "none"], ...Object.entries(BAND_COLOUR).flat(), "#7b2cbf"],
                 "circle-opacity": ["case", ["get", "stale"], 0.4, 1] } },
      { id: "devices", type: "symbol", source: "devices",
        layout: { "icon-image": ["match", ["coalesce", ["get", "last_status"], "none"],
                                 ...Object.keys(DEVICE_COLOUR).flatMap((s) => [s, `device-${s}`]), "device-none"],
                  "icon-allow-overlap": true, "icon-size": ["interpolate", ["linear"], ["zoom"], 11, 0.7, 16, 1.1] } },
      { id: "incidents", type: "circle", source: "incidents",
        paint: { "circle-radius": ["match", ["get", "severity"], ...Object.entries(SEVERITY_RADIUS).flat(), 7],
                 "circle-color": ["match", ["get", "severity"], ...Object.entries(SEVERITY_COLOUR).flat(), "#e76f51"],
                 "circle-stroke-color": ["case", ["get", "is_exercise"], "#f2c14e", "#fff"], "circle-stroke-width": 2 } },
    );
    return style;
  }

  // --- Details and actions for what was clicked.
  function describe(feature) {
    const p = feature.properties;
    switch (feature.layer.id) {
      case "incidents":
        return `<h3>${esc(p.severity)} ${esc(text(p.type))}${p.is_exercise ? " (exercise)" : ""}</h3>` +
          `<p>${p.place_name ? `${esc(p.place_name)}, ` : ""}declared ${esc(new Date(p.declared_at).toLocaleTimeString())}</p>` +
          `<p><a href="${esc(p.url)}">Open the incident</a></p>`;
      case "units":
        return `<h3>Unit ${esc(p.code)}</h3><p>${esc(text(p.unit_type))} of ${esc(p.agency)}: <strong>${esc(text(p.status))}</strong>, ` +
          `last seen ${esc(age(p.seen_s))}</p>` +
          (p.task_url ? `<p><a href="${esc(p.task_url)}">Its current task: ${esc(text(p.task_label))}</a></p>` : "<p>No current task.</p>");
      case "stations":
        return `<h3>Station ${esc(p.code)}</h3><p>${esc(p.name)} (${esc(p.agency)})</p>`;
      case "sensors":
        return `<h3>Sensor ${esc(p.id)}${p.name ? `: ${esc(p.name)}` : ""}</h3><p>${esc(text(p.kind))} of ${esc(p.agency)}: ` +
          `<strong>${p.value == null ? "no reading yet" : `${esc(p.value)} ${esc(p.unit || "")}`}</strong>` +
          `${p.observed_at ? ` at ${esc(new Date(p.observed_at).toLocaleTimeString())}` : ""}` +
          `${p.band ? `, ${esc(p.band)}` : ""}${p.stale ? " (stale: no reading for several intervals)" : ""}</p>`;
      case "devices":
        return `<h3>Device ${esc(p.id)}${p.name ? `: ${esc(p.name)}` : ""}</h3><p>${esc(text(p.kind))} of ${esc(p.agency)}: ` +
          (p.last_action ? `last told to <strong>${esc(text(p.last_action))}</strong> at ` +
            `${esc(new Date(p.last_issued_at).toLocaleTimeString())}, <strong>${esc(p.last_status)}</strong>` : "never commanded") +
          `</p>${p.last_incident_id ? `<p><a href="/console/incidents/${esc(p.last_incident_id)}">Its incident</a></p>` : ""}`;
      case "jurisdictions-fill":
        return `<h3>Jurisdiction of ${esc(p.name)}</h3><p>${esc(p.code)}, ${esc(text(p.kind))}</p>`;
      default:
        return "";
    }
  }

  function showDetails(lngLat, features) {
    const seen = new Set();
    const parts = [];
    for (const feature of features) {
      const key = `${feature.layer.id}:${feature.properties.id || feature.properties.code}`;
      if (seen.has(key)) continue;
      seen.add(key);
      parts.push(`<section>${describe(feature)}</section>`);
    }
    const where = `${lngLat.lat.toFixed(5)}, ${lngLat.lng.toFixed(5)}`;
    details.innerHTML = `<button type="button" class="close" aria-label="Close the details">×</button>` +
      parts.join("") + `<p class="help">At ${where}</p>` +
      (canDeclare ? `<button type="button" id="declare-here">Declare an incident here</button>` : "");
    details.hidden = false;
    details.querySelector(".close").addEventListener("click", () => { details.hidden = true; map.getCanvas().focus(); });
    const declareHere = details.querySelector("#declare-here");
    if (declareHere) {
      declareHere.addEventListener("click", () => {
        place(lngLat.lng, lngLat.lat);
        details.hidden = true;
        document.getElementById("incident-type").focus();
      });
    }
    (details.querySelector("a") || details.querySelector("#declare-here") || details.querySelector(".close")).focus();
  }

  function onClick(event) {
    const visible = CLICKABLE.filter((id) => map.getLayer(id) && map.getLayoutProperty(id, "visibility") !== "none");
    const pad = 4;
    const box = [[event.point.x - pad, event.point.y - pad], [event.point.x + pad, event.point.y + pad]];
    const features = map.queryRenderedFeatures(box, { layers: visible });
    const onlyArea = features.every((f) => f.layer.id === "jurisdictions-fill");
    if (onlyArea && canDeclare) {
      place(event.lngLat.lng, event.lngLat.lat);
      if (!features.length) return;
    }
    if (features.length) showDetails(event.lngLat, features);
  }

  // --- Live data: units and incidents every 2 s, coverage every 10 s and on each change asked for.
  function renderLists() {
    const list = document.getElementById("open-incidents");
    const focusedId = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.incident : null;
    list.replaceChildren();
    for (const { properties: p } of live.incidents) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = p.url;
      a.textContent = `${p.severity} ${text(p.type)}${p.is_exercise ? " (exercise)" : ""}`;
      a.className = `severity-${p.severity}`;
      a.dataset.incident = p.id;
      li.append(a, ` — ${p.place_name ? `${p.place_name}, ` : ""}${new Date(p.declared_at).toLocaleTimeString()}`);
      list.append(li);
      if (focusedId === p.id) a.focus();
    }
    if (!live.incidents.length) list.innerHTML = "<li>No open incidents.</li>";
    const counts = {};
    for (const { properties: p } of live.units) counts[p.status] = (counts[p.status] || 0) + 1;
    document.getElementById("unit-summary").textContent = live.units.length
      ? "Units: " + Object.entries(counts).map(([s, n]) => `${n} ${text(s)}`).join(", ")
      : "No units registered.";
  }

  async function getJson(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.status === 401) { window.location.reload(); throw new Error("signed out"); }
    const body = await response.json();
    if (!response.ok) throw Object.assign(new Error(body.detail || response.statusText), { body });
    return body;
  }

  let lastStatuses = "";
  function applyLive(data) {
    live = { now: data.now, units: data.units.features, incidents: data.incidents.features };
    renderLists();
    updated.textContent = "updated " + new Date(live.now).toLocaleTimeString();
    // Coverage follows the units: recompute as soon as any status or position changes.
    const statuses = data.units.features.map((f) => `${f.properties.id}:${f.properties.status}:${f.geometry.coordinates}`).join("|");
    if (statuses !== lastStatuses) { lastStatuses = statuses; refreshCoverage(); }
  }

  async function refreshLive() {
    try {
      const data = await getJson(urls.live);
      map.getSource("units").setData(data.units);
      map.getSource("incidents").setData(data.incidents);
      applyLive(data);
    } catch (error) {
      updated.textContent = "connection lost; retrying";
      console.error(error);
    }
  }

  async function refreshCoverage() {
    const on = document.getElementById("coverage-on").checked;
    const summary = document.getElementById("coverage-summary");
    if (!on) { summary.textContent = ""; container.dataset.coverage_ready = "off"; return; }
    const need = document.getElementById("coverage-need").value;
    const minutes = document.getElementById("coverage-minutes").value;
    const ticket = ++coverageTicket;
    try {
      const data = await getJson(`${urls.coverage}?need=${encodeURIComponent(need)}&minutes=${encodeURIComponent(minutes)}`);
      if (ticket !== coverageTicket) return;
      map.getSource("coverage").setData(data);
      const s = data.summary;
      summary.textContent = `${s.free_units} free ${text(need)} unit${s.free_units === 1 ? "" : "s"}; ` +
        `${s.covered_percent}% of the streets reached within ${minutes} min, ${data.features.length} area${data.features.length === 1 ? "" : "s"} shaded.`;
      container.dataset.coverageCells = String(data.features.length);
    } catch (error) {
      if (ticket === coverageTicket) summary.textContent = error.message;
    }
  }

  async function refreshHeat() {
    if (!document.querySelector('[data-layer="heat"]').checked) return;
    const hours = document.getElementById("heat-period").value;
    const data = await getJson(`${urls.history}?hours=${encodeURIComponent(hours)}`);
    map.getSource("heat").setData(data);
    container.dataset.heatPoints = String(data.features.length);
  }

  async function refreshSensors() {
    try {
      const data = await getJson(urls.sensors);
      map.getSource("sensors").setData(data);
      container.dataset.sensorCount = String(data.features.length);
      const devices = await getJson(urls.devices);
      map.getSource("devices").setData(devices);
      container.dataset.deviceCount = String(devices.features.length);
    } catch (error) { console.error(error); }
  }

  // --- Declaring: a click on the streets or Enter at the centre places the incident.
  function place(lon, lat) {
    if (!canDeclare) return;
    if (!placedMarker) {
      const element = document.createElement("div");
      element.className = "placed-marker";
      element.setAttribute("role", "img");
      element.setAttribute("aria-label", "The new incident's place");
      placedMarker = new maplibregl.Marker({ element }).setLngLat([lon, lat]).addTo(map);
    }
    placedMarker.setLngLat([lon, lat]);
    container.dataset.placed = `${lon.toFixed(5)},${lat.toFixed(5)}`;
    locationField.value = `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
    document.getElementById("location-found").textContent = "";
    showLocationError("");
  }

  function showLocationError(message) {
    if (!locationError) return;
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
    let body;
    try {
      body = await getJson(`${urls.places}?q=${encodeURIComponent(locationField.value)}`);
    } catch (error) {
      document.getElementById("location-found").textContent = "";
      showLocationError(error.message || "not found");
      return;
    }
    const [lon, lat] = body.location.coordinates;
    const typed = locationField.value;
    place(lon, lat);
    locationField.value = body.kind === "coordinates" ? body.name : typed;
    document.getElementById("location-found").textContent = `Found: ${body.name} (${body.kind})`;
    map.easeTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 15) });
  }

  function wholeCity() {
    map.fitBounds([[bounds[0], bounds[1]], [bounds[2], bounds[3]]], { padding: 20, animate: false });
  }

  function setToggle(name, on) {
    for (const id of TOGGLES[name] || []) if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
    for (const marker of labels[name] || []) marker.getElement().style.display = on ? "" : "none";
    container.dataset[`layer_${name}`] = on ? "visible" : "none";
  }

  function wire() {
    map.on("click", onClick);
    for (const id of CLICKABLE) {
      map.on("mouseenter", id, () => { map.getCanvas().style.cursor = "pointer"; });
      map.on("mouseleave", id, () => { map.getCanvas().style.cursor = ""; });
    }
    const canvas = map.getCanvas();
    canvas.setAttribute("aria-label", "City map. Arrow keys pan, plus and minus zoom, 0 shows the whole city" +
      (canDeclare ? ", Enter places an incident at the centre cross." : "."));
    canvas.addEventListener("keydown", (event) => {
      if (event.key === "0" || event.key === "Home") wholeCity();
      else if ((event.key === "Enter" || event.key === " ") && canDeclare) {
        const centre = map.getCenter();
        place(centre.lng, centre.lat);
      } else if (event.key === "Escape") details.hidden = true;
      else return;
      event.preventDefault();
    });
    document.getElementById("whole-city").addEventListener("click", wholeCity);
    for (const box of document.querySelectorAll("[data-layer]")) {
      box.addEventListener("change", () => {
        setToggle(box.dataset.layer, box.checked);
        if (box.dataset.layer === "coverage") refreshCoverage();
        if (box.dataset.layer === "heat") refreshHeat();
      });
      if (!box.checked) setToggle(box.dataset.layer, false);
    }
    document.getElementById("coverage-need").addEventListener("change", refreshCoverage);
    document.getElementById("coverage-minutes").addEventListener("change", refreshCoverage);
    document.getElementById("heat-period").addEventListener("change", refreshHeat);
    const find = document.getElementById("find-place");
    if (find) find.addEventListener("click", findPlace);
  }

  async function start() {
    // Everything the first picture needs is asked for at once; the streets load in MapLibre's worker.
    let layers, firstLive;
    try { [layers, firstLive] = await Promise.all([getJson(urls.layers), getJson(urls.live)]); } catch (error) {
      updated.textContent = "the map's data could not be loaded";
      return;
    }
    bounds = layers.bounds;
    map = new maplibregl.Map({
      container, style: baseStyle(layers, firstLive), bounds: [[bounds[0], bounds[1]], [bounds[2], bounds[3]]],
      fitBoundsOptions: { padding: 20 }, attributionControl: false, maxPitch: 0, dragRotate: false,
      pitchWithRotate: false, touchPitch: false,
    });
    window.icccMap = map; // for the browser tests and the benchmark
    map.touchZoomRotate.disableRotation();
    map.keyboard.disableRotation();
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-left");
    map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
    map.addImage("station", triangleImage("#14213d"));
    for (const [status, colour] of [...Object.entries(DEVICE_COLOUR), ["none", "#ffffff"]]) {
      map.addImage(`device-${status}`, squareImage(colour));
    }
    // "load": the first complete picture, every source (the whole street network) drawn.
    map.once("load", () => {
      container.dataset.ready = "true";
      container.dataset.renderedAt = String(performance.now());
      for (const feature of layers.jurisdictions.features) {
        labels.jurisdictions.push(htmlLabel(feature.properties.label_point, feature.properties.name, "label-jurisdiction"));
      }
      wire();
      applyLive(firstLive);
      refreshSensors();
      setInterval(refreshLive, LIVE_EVERY_MS);
      setInterval(() => { refreshCoverage(); refreshSensors(); }, COVERAGE_EVERY_MS);
    });
  }

  start();
})();
