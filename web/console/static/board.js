// Refreshes the incident board every 2 seconds from the console's own JSON; no external assets.
(function () {
  const source = document.currentScript.dataset.source;
  const body = document.getElementById("incidents");
  const updated = document.getElementById("updated");
  const alerts = document.getElementById("officer-alerts");
  const filters = document.getElementById("board-filters");
  const more = document.getElementById("more");

  // The filters live in the address, so a reload or a bookmark keeps them.
  function query() {
    const params = new URLSearchParams(new FormData(filters));
    for (const [name, value] of [...params]) if (value === "" && name !== "status") params.delete(name);
    return params.toString();
  }

  function duration(seconds) {
    const sign = seconds < 0 ? "-" : "";
    seconds = Math.abs(seconds);
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return m >= 60 ? `${sign}${Math.floor(m / 60)}h ${m % 60}m` : `${sign}${m}m ${String(s).padStart(2, "0")}s`;
  }

  function cell(text, className) {
    const td = document.createElement("td");
    td.textContent = text;
    if (className) td.className = className;
    return td;
  }

  function link(text, href, note) {
    const td = document.createElement("td");
    const a = document.createElement("a");
    a.textContent = text;
    a.href = href;
    td.append(a);
    if (note) {
      const small = document.createElement("div");
      small.className = "help";
      small.textContent = note;
      td.append(small);
    }
    return td;
  }

  // The place in words first, the point under it; bare coordinates alone when nobody named it.
  function where(incident) {
    const td = cell(incident.place_name || incident.coordinates, "where");
    if (incident.place_name) {
      const small = document.createElement("div");
      small.className = "help";
      small.textContent = incident.coordinates;
      td.append(small);
    }
    return td;
  }

  function render(data) {
    body.replaceChildren();
    if (data.incidents.length === 0) {
      const tr = document.createElement("tr");
      tr.append(cell(query().replace(/^status=open$/, "") ? "No incidents match these filters." : "No incidents.", ""));
      tr.firstChild.colSpan = 9;
      body.append(tr);
    }
    for (const incident of data.incidents) {
      const tr = document.createElement("tr");
      tr.dataset.incident = incident.id;
      tr.className = `status-${incident.status}`;
      const late = incident.next_deadline_in_s !== null && incident.next_deadline_in_s < 0;
      tr.append(
        cell(incident.severity, `severity-${incident.severity}`),
        link(incident.type + (incident.is_exercise ? " (exercise)" : ""), incident.url, incident.description),
        where(incident),
        cell(incident.status),
        cell(duration(incident.age_s)),
        cell(incident.sop || "none"),
        cell(incident.progress),
        cell(incident.open_tasks.map((t) => `${t.agency}: ${t.step} (${t.status})`).join("; ")),
        cell(incident.next_deadline_in_s === null ? "" : (late ? "overdue " : "in ") + duration(incident.next_deadline_in_s),
             late ? "late" : ""),
      );
      body.append(tr);
    }
    more.hidden = !data.more;
    alerts.replaceChildren();
    for (const alert of data.officer_alerts.length ? data.officer_alerts : [{ summary: "Nothing needs you.", age_s: null }]) {
      const li = document.createElement("li");
      const text = alert.age_s === null ? alert.summary : `${duration(alert.age_s)} ago: ${alert.summary}`;
      if (alert.href) {  // where to act on it: the incident, or the CAP alerts page
        const link = document.createElement("a");
        link.href = alert.href;
        link.textContent = text;
        li.append(link);
      } else {
        li.textContent = text;
      }
      alerts.append(li);
    }
    updated.textContent = "updated " + new Date(data.now).toLocaleTimeString();
  }

  let latest = 0;
  async function refresh() {
    const asked = ++latest;
    try {
      const response = await fetch(`${source}?${query()}`, { credentials: "same-origin" });
      if (asked !== latest) return;  // a newer filter's answer is on its way
      if (response.status === 401) { window.location.reload(); return; }
      if (response.ok) render(await response.json());
    } catch (error) {
      updated.textContent = "connection lost; retrying";
    }
  }

  let typing;
  filters.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      history.replaceState(null, "", `?${query()}`);
      refresh();
    }, 200);
  });
  filters.addEventListener("submit", (event) => { event.preventDefault(); refresh(); });

  refresh();
  setInterval(refresh, 2000);
})();
