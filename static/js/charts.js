/* Dashboard charts: Chart.js reads its data from the page's JSON block (CSP: script-src 'self'). */
(function () {
  "use strict";

  var COLOURS = ["#0b5fff", "#13a89e", "#d98a1c", "#8e44ad"];
  var source = document.getElementById("chart-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var charts = JSON.parse(source.textContent);

  function moneyFormat(currency) {
    try {
      return new Intl.NumberFormat(undefined, {
        style: "currency", currency: currency || "USD", notation: "compact", maximumFractionDigits: 1
      });
    } catch (err) {
      return new Intl.NumberFormat(undefined, { notation: "compact" });
    }
  }

  function build(spec) {
    var money = moneyFormat(spec.currency);
    var count = new Intl.NumberFormat();
    var hasMoney = spec.series.some(function (s) { return s.axis === "money"; });
    var hasCount = spec.series.some(function (s) { return s.axis === "count"; });
    var valueAxis = spec.horizontal ? "x" : "y";
    var scales = {};
    // Counts and money get their own scales so neither flattens the other.
    if (hasCount) {
      scales.count = { axis: valueAxis, beginAtZero: true, position: spec.horizontal ? "bottom" : "left",
                       ticks: { callback: function (v) { return count.format(v); } } };
    }
    if (hasMoney) {
      scales.money = { axis: valueAxis, beginAtZero: true, position: spec.horizontal ? "top" : "right",
                       grid: { drawOnChartArea: !hasCount },
                       ticks: { callback: function (v) { return money.format(v); } } };
    }
    return {
      type: "bar",
      data: {
        labels: spec.labels,
        datasets: spec.series.map(function (s, i) {
          var dataset = { label: s.label, data: s.data, type: s.kind === "line" ? "line" : "bar",
                          backgroundColor: COLOURS[i % COLOURS.length], borderColor: COLOURS[i % COLOURS.length],
                          tension: 0.25 };
          dataset[spec.horizontal ? "xAxisID" : "yAxisID"] = s.axis;
          return dataset;
        })
      },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
        scales: scales,
        plugins: {
          legend: { display: spec.series.length > 1 },
          tooltip: { callbacks: { label: function (ctx) {
            var s = spec.series[ctx.datasetIndex];
            var v = ctx.raw;
            return s.label + ": " + (s.axis === "money" ? money.format(v) : count.format(v));
          } } }
        }
      }
    };
  }

  Object.keys(charts).forEach(function (id) {
    var canvas = document.getElementById(id);
    if (canvas) { new window.Chart(canvas, build(charts[id])); }
  });
})();
