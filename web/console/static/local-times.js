// Every <time data-local> in the reader's local time with how long ago or how soon, kept current.
(function () {
  function relative(seconds) {
    const ahead = seconds > 0, s = Math.abs(Math.round(seconds));
    const text = s < 60 ? `${s} s` : s < 3600 ? `${Math.round(s / 60)} min` : s < 172800
      ? `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min` : `${Math.round(s / 86400)} days`;
    return ahead ? `in ${text}` : `${text} ago`;
  }
  function show() {
    const now = Date.now();
    for (const element of document.querySelectorAll("time[data-local]")) {
      const at = new Date(element.getAttribute("datetime"));
      if (Number.isNaN(at.getTime())) continue;
      const sameDay = at.toDateString() === new Date(now).toDateString();
      const clock = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
      const day = sameDay ? "" : at.toLocaleDateString([], { day: "numeric", month: "short" }) + " ";
      element.textContent = `${day}${clock} (${relative((at.getTime() - now) / 1000)})`;
      element.title = at.toString();
    }
  }
  show();
  setInterval(show, 15000);
})();
