// Refreshes the incident board every 2 seconds from the console's own JSON; no external assets.
(function () {
  const source = document.currentScript.dataset.source;
  const body = document.getElementById("incidents");
  const updated = document.getElementById("updated");
  const alerts = document.getElementById("officer-alerts");

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

  function link(text, href) {
    const td = document.createElement("td");
    const a = document.createElement("a");
    a.textContent = text;
    a.href = href;
    td.append(a);
    return td;
  }

  function render(data) {
    body.replaceChildren();
    if (data.incidents.length === 0) {
      const tr = document.createElement("tr");
      tr.append(cell("No incidents.", ""));
      tr.firstChild.colSpan = 8;
      body.append(tr);
    }
    for (const incident of data.incidents) {
      const tr = document.createElement("tr");
      tr.dataset.incident = incident.id;
      tr.className = `status-${incident.status}`;
      const late = incident.next_deadline_in_s !== null && incident.next_deadline_in_s < 0;
      tr.append(
        cell(incident.severity, `severity-${incident.severity}`),
        link(incident.type + (incident.is_exercise ? " (exercise)" : ""), incident.url),
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
    alerts.replaceChildren();
    for (const alert of data.officer_alerts.length ? data.officer_alerts : [{ summary: "Nothing needs you.", age_s: null }]) {
      const li = document.createElement("li");
      li.textContent = alert.age_s === null ? alert.summary : `${duration(alert.age_s)} ago: ${alert.summary}`;
      alerts.append(li);
    }
    updated.textContent = "updated " + new Date(data.now).toLocaleTimeString();
  }

  async function refresh() {
    try {
      const response = await fetch(source, { credentials: "same-origin" });
      if (response.status === 401) { window.location.reload(); return; }
      if (response.ok) render(await response.json());
    } catch (error) {
      updated.textContent = "connection lost; retrying";
    }
  }

  refresh();
  setInterval(refresh, 2000);
})();
