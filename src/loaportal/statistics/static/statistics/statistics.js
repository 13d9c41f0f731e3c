// Statistics charts (Chart.js, vendored). No inline script: each <canvas data-chart="ID"> reads
// its figures from the JSON block <script type="application/json" id="ID"> (Django's
// json_script) that the page put beside it; the table next to the chart holds the same figures.
(function () {
  "use strict";
  if (typeof window.Chart !== "function") return;

  // Colours with at least 3:1 contrast against white (WCAG 1.4.11); the table carries the
  // figures for anyone who cannot tell them apart.
  var COLOURS = {
    verified: "#1f497a",
    no_match: "#b3192e",
    cancelled: "#7834bc",
    no_response: "#8a5300",
    pending: "#6f777f",
    count: "#1f497a",
    median: "#1f497a",
    p90: "#b3192e",
    submitted: "#6f777f",
    approved: "#1f497a",
    refused: "#b3192e",
  };
  var lang = document.documentElement.lang || "en";
  var locale = lang + "-CA";
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function formatter(unit) {
    var digits = unit === "count" ? 0 : 1;
    var number = new Intl.NumberFormat(locale, { maximumFractionDigits: digits });
    return function (value) {
      if (value === null || value === undefined) return "–";
      var text = number.format(value);
      if (unit === "rate") return lang === "fr" ? text + "\u00a0%" : text + "%";
      return text;
    };
  }

  window.Chart.defaults.font.family = '"Noto Sans", sans-serif';
  window.Chart.defaults.font.size = window.matchMedia("(width < 48em)").matches ? 12 : 14;
  window.Chart.defaults.color = "#333333";

  var LINE = 18;

  function wrap(label) {
    var parts = label.replace(" – ", "\n").replace(" (", "\n(").split("\n");
    var lines = [];
    parts.forEach(function (part) {
      var line = "";
      part.split(" ").forEach(function (word) {
        if (line && (line + " " + word).length > LINE) {
          lines.push(line);
          line = word;
        } else {
          line = line ? line + " " + word : word;
        }
      });
      lines.push(line);
    });
    return lines.length === 1 ? lines[0] : lines;
  }

  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var format = formatter(data.unit);
    var single = data.datasets.length === 1 && data.kind === "bar";
    var datasets = data.datasets.map(function (set, index) {
      var colour = COLOURS[set.key] || "#1f497a";
      var colours = single
        ? data.rowKeys.map(function (key) { return COLOURS[key] || colour; })
        : colour;
      return {
        label: set.label,
        data: set.data,
        backgroundColor: colours,
        borderColor: colours,
        borderWidth: data.kind === "line" ? 3 : 0,
        borderDash: data.kind === "line" && index > 0 ? [8, 4] : [],
        pointRadius: data.kind === "line" ? 4 : 0,
        pointStyle: index > 0 ? "rectRot" : "circle",
        spanGaps: true,
      };
    });
    var valueAxis = data.horizontal ? "x" : "y";
    var scales = {};
    scales[valueAxis] = {
      beginAtZero: true,
      stacked: data.stacked,
      // Whole numbers of requests: no tick at 2.5.
      ticks: {
        precision: data.unit === "count" ? 0 : undefined,
        callback: function (value) { return format(value); },
      },
    };
    scales[valueAxis === "x" ? "y" : "x"] = { stacked: data.stacked };
    // Long names on several lines ("Not verified" / "No match"), so that a phone shows them
    // whole: Chart.js gives an axis's labels at most half the chart's width.
    var labels = data.labels.map(wrap);
    new window.Chart(canvas, {
      type: data.kind,
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: data.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceMotion ? false : { duration: 300 },
        locale: locale,
        scales: scales,
        plugins: {
          legend: { display: !single, position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                return item.dataset.label + ": " + format(item.raw);
              },
            },
          },
        },
      },
    });
  }

  // Once the self-hosted fonts are in: labels are measured in the font they are drawn in.
  var canvases = document.querySelectorAll("canvas[data-chart]");
  (document.fonts ? document.fonts.ready : Promise.resolve()).then(function () {
    canvases.forEach(draw);
  });
})();
