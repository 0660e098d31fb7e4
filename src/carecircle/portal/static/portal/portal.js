// Family portal: a click on the map searches from that point; filters search when changed.
// Everything works without JavaScript (the search button, the town/village picker).
(function () {
  "use strict";

  function mapClick(svg, form) {
    svg.addEventListener("click", function (event) {
      var matrix = svg.getScreenCTM();
      if (!matrix) { return; }
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var local = point.matrixTransform(matrix.inverse());
      var west = parseFloat(svg.getAttribute("data-west"));
      var north = parseFloat(svg.getAttribute("data-north"));
      var scale = parseFloat(svg.getAttribute("data-scale"));
      var squeeze = parseFloat(svg.getAttribute("data-squeeze"));
      form.elements.lon.value = (west + local.x / (scale * squeeze)).toFixed(5);
      form.elements.lat.value = (north - local.y / scale).toFixed(5);
      form.submit();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("search-form");
    var svg = document.getElementById("portal-map");
    if (form && svg) { mapClick(svg, form); }
    if (form && form.hasAttribute("data-autosubmit")) {
      form.addEventListener("change", function (event) {
        if (event.target.name === "area") {
          form.elements.lat.value = "";
          form.elements.lon.value = "";
        }
        if (event.target.name !== "max_price") { form.submit(); }
      });
    }
    document.querySelectorAll("form[data-confirm]").forEach(function (el) {
      el.addEventListener("submit", function (event) {
        if (!window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
      });
    });
  });
})();
