// Dashboard charts, drawn with uPlot from the JSON the server renders into the page
// (<script type="application/json">: data, never executed, so the CSP allows it).
// Every bucket is a UTC day or hour, so the axes are shown in UTC too. Without uPlot (or
// JavaScript) the text summary and the table under each chart remain.
(function () {
  "use strict";

  var COLORS = { orders: "#e8590c", calls: "#1c6dd0", errors: "#e03131" };
  var HEIGHT = 220;

  function readData(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (err) {
      return null;
    }
  }

  function seconds(isoDates) {
    return isoDates.map(function (value) {
      // "2025-01-31" is read as UTC midnight by Date.parse; full instants carry their "Z"
      return Date.parse(value) / 1000;
    });
  }

  function utc(ts) {
    return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC");
  }

  function ordersOptions(width) {
    return {
      width: width,
      height: HEIGHT,
      tzDate: utc,
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
      // half a day of room on both sides, or the first and last bars are cut in half
      scales: { x: { time: true, range: function (u, min, max) { return [min - 43200, max + 43200]; } }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      axes: [{}, { values: function (u, ticks) { return ticks.map(function (v) { return v % 1 ? "" : v; }); } }],
      series: [
        { label: "Day" },
        {
          label: "Orders",
          stroke: COLORS.orders,
          fill: "rgba(232, 89, 12, 0.35)",
          paths: uPlot.paths.bars({ size: [0.6, 60] }),
          points: { show: false },
        },
      ],
    };
  }

  function apiOptions(width) {
    return {
      width: width,
      height: HEIGHT,
      tzDate: utc,
      legend: { show: true },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      series: [
        { label: "Hour" },
        { label: "Calls", stroke: COLORS.calls, width: 1.5, fill: "rgba(28, 109, 208, 0.08)", points: { show: false } },
        { label: "Errors", stroke: COLORS.errors, width: 1.5, points: { show: false } },
      ],
    };
  }

  var BUILDERS = {
    orders: function (data, width) {
      return { options: ordersOptions(width), series: [seconds(data.days), data.orders] };
    },
    api: function (data, width) {
      return { options: apiOptions(width), series: [seconds(data.hours), data.calls, data.errors] };
    },
  };

  var charts = [];

  function widthOf(target) {
    return Math.max(240, target.clientWidth);
  }

  function draw(target) {
    var build = BUILDERS[target.dataset.chart];
    var data = readData(target.dataset.source);
    if (!build || !data || target.dataset.drawn === "1") return;
    var spec = build(data, widthOf(target));
    charts.push({ plot: new uPlot(spec.options, spec.series, target), target: target });
    target.dataset.drawn = "1";
  }

  var resizeTimer;
  function onResize() {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (chart) {
        chart.plot.setSize({ width: widthOf(chart.target), height: HEIGHT });
      });
    }, 150);
  }

  function init() {
    if (typeof uPlot === "undefined") return;
    document.querySelectorAll(".chart-canvas[data-chart]").forEach(draw);
    window.addEventListener("resize", onResize);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
