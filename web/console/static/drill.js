// Moves a drill's progress bar from the console's own JSON twice a second; reloads the page
// when the drill has finished, so its report (or its error) shows. No external assets.
(function () {
  const bar = document.getElementById("drill-progress");
  if (!bar || bar.dataset.finished === "yes") return;
  const percent = document.getElementById("drill-percent");
  const status = document.getElementById("drill-status");

  async function poll() {
    try {
      const response = await fetch(bar.dataset.source, { credentials: "same-origin" });
      if (response.status === 401) { window.location.reload(); return; }  // signed out: to sign-in
      if (response.ok) {
        const data = await response.json();
        const value = Math.round(data.progress * 1000) / 10;
        bar.value = value;
        bar.textContent = percent.textContent = `${Math.round(value)}%`;
        status.textContent = data.status;
        if (data.finished) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // The server is restarting or the network blinked: try again at the next tick.
    }
    setTimeout(poll, 500);
  }
  setTimeout(poll, 500);
})();
