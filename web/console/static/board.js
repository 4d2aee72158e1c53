// Refreshes the incident board every 2 seconds from the console's own JSON; no external assets.
(function () {
  const source = document.currentScript.dataset.source;
  const body = document.getElementById("incidents");
  const updated = document.getElementById("updated");
  const alerts = document.getElementById("officer-alerts");
  const filters = document.getElementById("board-filters");
  const more = document.getElementById("more");
  const section = document.getElementById("for-the-officer");
  const count = document.getElementById("awaiting-count");
  const newForYou = document.getElementById("new-for-you");
  const soundButton = document.getElementById("cue-sound");

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

  // One line per agency: how many of its open tasks are in each state.
  function tasks(openTasks) {
    const td = cell("", "open-tasks");
    for (const agency of openTasks) {
      const line = document.createElement("div");
      line.textContent = `${agency.agency}: ` + Object.entries(agency.counts).map(([state, n]) => `${n} ${state.replace("_", " ")}`).join(", ");
      td.append(line);
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
        tasks(incident.open_tasks),
        cell(incident.next_deadline_in_s === null ? "" : (late ? "overdue " : "in ") + duration(incident.next_deadline_in_s),
             late ? "late" : ""),
      );
      body.append(tr);
    }
    more.hidden = !data.more;
    renderForTheOfficer(data);
    updated.textContent = "updated " + new Date(data.now).toLocaleTimeString([], { hourCycle: "h23" });
  }

  // "14:05 (in 3m 10s)" or "14:05 (overdue 2m 00s)": the clock time here, and how far off.
  function due(item) {
    const at = new Date(item.due_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    return item.due_in_s < 0 ? `due ${at} (overdue ${duration(-item.due_in_s)})` : `due ${at} (in ${duration(item.due_in_s)})`;
  }

  function item(text, href, className) {
    const li = document.createElement("li");
    if (className) li.className = className;
    if (href) {  // where to act on it: the decision on the incident page, the CAP alerts page
      const a = document.createElement("a");
      a.href = href;
      a.textContent = text;
      li.append(a);
    } else {
      li.textContent = text;
    }
    return li;
  }

  function renderForTheOfficer(data) {
    alerts.replaceChildren();
    for (const waiting of data.awaiting) {
      alerts.append(item(`${waiting.summary}; ${due(waiting)}`, waiting.href, waiting.due_in_s < 0 ? "overdue" : "awaiting"));
    }
    if (data.awaiting_more > 0) alerts.append(item(`and ${data.awaiting_more} more decisions and notices`, null, "awaiting"));
    for (const alert of data.officer_alerts) {
      alerts.append(item(`${duration(alert.age_s)} ago: ${alert.summary}`, alert.href, "alert"));
    }
    const waiting = data.awaiting.length + data.awaiting_more + data.officer_alerts.length;
    if (waiting === 0) alerts.append(item("Nothing needs you.", null, ""));
    count.textContent = waiting ? `(${waiting})` : "";
    const keys = [...data.awaiting.map((w) => "request:" + w.id), ...data.officer_alerts.map((a) => "alert:" + a.id)];
    const fresh = keys.filter((key) => !seen.has(key));
    keys.forEach((key) => seen.add(key));
    if (loaded && fresh.length) {
      const first = [...data.awaiting, ...data.officer_alerts].find((x) => fresh.includes("request:" + x.id) || fresh.includes("alert:" + x.id));
      cue(fresh.length === 1 ? `New for you: ${first.summary}` : `${fresh.length} new items for you, first: ${first.summary}`);
    }
    loaded = true;
  }

  // A new item: a visible cue (the section flashes, a line says what came) and an audible one
  // (a short tone from Web Audio: no sound file to fetch), which the officer can mute; the
  // choice is remembered in this browser.
  const seen = new Set();
  let loaded = false;
  let muted = localStorage.getItem("iccc.board.sound") === "off";
  let audio = null;

  function showSound() {
    soundButton.textContent = muted ? "Sound off: unmute new-item tone" : "Sound on: mute new-item tone";
    soundButton.setAttribute("aria-pressed", String(muted));
  }

  function cue(text) {
    newForYou.textContent = text;
    section.classList.remove("new-item");
    void section.offsetWidth;  // restart the animation
    section.classList.add("new-item");
    section.dataset.cues = String(Number(section.dataset.cues || 0) + 1);
    if (!muted) tone();
  }

  function tone() {
    try {
      audio = audio || new AudioContext();
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = 880;
      gain.gain.setValueAtTime(0.2, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start();
      oscillator.stop(audio.currentTime + 0.4);
    } catch (error) {
      // No audio device: the visible cue stands alone.
    }
  }

  // Browsers start sound only after the person has used the page: the first click or key unlocks it.
  function unlock() { if (!muted) { audio = audio || new AudioContext(); audio.resume(); } }
  document.addEventListener("click", unlock, { once: true });
  document.addEventListener("keydown", unlock, { once: true });

  soundButton.addEventListener("click", () => {
    muted = !muted;
    localStorage.setItem("iccc.board.sound", muted ? "off" : "on");
    showSound();
    unlock();
  });
  showSound();

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
