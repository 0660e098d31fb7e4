// Indicator monitoring: draws the Plotly figures embedded as JSON (no inline script, no CDN) and
// submits the area/period pickers when they change.
(function () {
  "use strict";

  function draw(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll("[data-plot]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-plot"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      window.Plotly.newPlot(el, figure.data, figure.layout, {
        displaylogo: false,
        displayModeBar: false,
        responsive: true
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    draw(document);
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      form.addEventListener("change", function () { form.submit(); });
    });
    document.body.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
  });
})();
