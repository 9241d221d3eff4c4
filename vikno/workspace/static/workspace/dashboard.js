/* The dashboard's charts: Chart.js (vendor/chart.umd.min.js) over the data the page carries in
   <script type="application/json" id="dashboard-charts"> (json_script: data, never code). Each
   chart's numbers are also in the table under "The charts' numbers". */
(function () {
  "use strict";

  function weekLabel(iso) {
    var parts = iso.split("-");
    return parts[2] + "." + parts[1];
  }

  function draw(canvas, series, colour) {
    var ink = getComputedStyle(document.documentElement).getPropertyValue("--ink-2").trim() || "#4a5568";
    return new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: series.labels.map(weekLabel),
        datasets: [{label: canvas.dataset.label || "", data: series.values, backgroundColor: colour}]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: {legend: {display: false}},
        scales: {
          x: {ticks: {color: ink, maxRotation: 0, autoSkip: true}},
          y: {beginAtZero: true, ticks: {color: ink, precision: 0}}
        }
      }
    });
  }

  function init() {
    var source = document.getElementById("dashboard-charts");
    if (!source || typeof window.Chart !== "function") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var colours = {intake: "#1d63c4", overdue: "#b42318"};
    document.querySelectorAll("canvas[data-series]").forEach(function (canvas) {
      var series = data[canvas.dataset.series];
      if (series) {
        canvas.chart = draw(canvas, series, colours[canvas.dataset.series] || "#4a5568");
        canvas.dataset.drawn = "true";
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
