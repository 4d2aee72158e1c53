// Says when an SOP's graph is wider than the page (it scrolls sideways rather than shrinking
// its text below legibility).
(function () {
  function check() {
    for (const graph of document.querySelectorAll(".graph")) {
      const hint = graph.previousElementSibling;
      if (hint && hint.classList.contains("graph-scrolls")) hint.hidden = graph.scrollWidth <= graph.clientWidth + 1;
    }
  }
  check();
  window.addEventListener("resize", check);
})();
