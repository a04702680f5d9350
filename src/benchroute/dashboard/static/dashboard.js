// benchroute dashboard: draws the charts from the JSON embedded in the page, sorts and filters tables.
// No inline scripts anywhere (the pages send a strict Content-Security-Policy).
(function () {
  "use strict";
  // Six distinct colours for the top models (colour-blind aware), grey for "other".
  const palette = ["#2457c5", "#e07b00", "#1d7a46", "#c4378f", "#0f8b8d", "#7a3fc4"];
  const OTHER = "#8a8f98";
  const color = (label, i) => (label === "other" ? OTHER : palette[i % palette.length]);

  function readJson(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // The legend is HTML under the canvas, so it never takes height from the plot.
  function htmlLegend(canvas, items) {
    const figure = canvas.closest("figure");
    if (!figure) return;
    const list = document.createElement("ul");
    list.className = "legend";
    for (const item of items) {
      const li = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch" + (item.dash ? " dashed" : "");
      swatch.style.setProperty("--swatch", item.color);
      li.append(swatch, document.createTextNode(item.label));
      list.append(li);
    }
    figure.append(list);
  }

  function tickLabel(unit) {
    return function (value) {
      const label = this.getLabelForValue(value);
      return unit === "hour" ? label.slice(11) + ":00" : label.slice(5);
    };
  }

  function baseOptions(unit, yTitle, stacked) {
    return {
      responsive: true, maintainAspectRatio: false, animation: false,
      scales: {
        x: { stacked: stacked, ticks: { maxRotation: 0, autoSkip: true, callback: tickLabel(unit) } },
        y: { stacked: stacked, beginAtZero: true, title: { display: true, text: yTitle } },
      },
      plugins: { legend: { display: false } },
    };
  }

  function stackedBar(canvasId, data, series, yTitle) {
    const canvas = document.getElementById(canvasId);
    if (!canvas || typeof Chart === "undefined") return;
    const datasets = series.map((s, i) => ({ label: s.model, data: s.data, backgroundColor: color(s.model, i) }));
    new Chart(canvas, { type: "bar", data: { labels: data.labels, datasets: datasets }, options: baseOptions(data.unit, yTitle, true) });
    htmlLegend(canvas, datasets.map((d) => ({ label: d.label, color: d.backgroundColor })));
  }

  function lines(canvasId, data, series, yTitle) {
    const canvas = document.getElementById(canvasId);
    if (!canvas || typeof Chart === "undefined") return;
    const datasets = series.map((s) => ({
      label: s.label, data: s.data, borderColor: s.color, backgroundColor: s.color, borderDash: s.dash || [],
      spanGaps: false, pointRadius: 2, tension: 0,
    }));
    new Chart(canvas, { type: "line", data: { labels: data.labels, datasets: datasets }, options: baseOptions(data.unit, yTitle, false) });
    htmlLegend(canvas, series.map((s) => ({ label: s.label, color: s.color, dash: !!s.dash })));
  }

  function usageCharts() {
    const data = readJson("usage-data");
    if (!data) return;
    stackedBar("chart-requests", data, data.requests, "requests");
    stackedBar("chart-cost", data, data.cost, "USD");
    lines("chart-saved", data, [{ label: "saved vs always-Frontier (cumulative)", data: data.saved_cumulative, color: "#1d7a46" }], "USD");
    lines("chart-latency", data, [
      { label: "p50 latency", data: data.latency.p50, color: "#2457c5" },
      { label: "p95 latency", data: data.latency.p95, color: "#b42318" },
      { label: "p50 time to first token", data: data.latency.ttft_p50, color: "#e07b00", dash: [5, 4] },
    ], "ms");
  }

  function cellChart() {
    const data = readJson("cells-data");
    const canvas = document.getElementById("chart-cells");
    if (!data || !canvas || typeof Chart === "undefined") return;
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.cells, datasets: [{ label: "P(cell | request)", data: data.probs, backgroundColor: palette[0] }] },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { min: 0, max: 1 } }, plugins: { legend: { display: false } },
      },
    });
  }

  // A cell's sort value: its data-v (blank = no value) or its text; numbers compare as numbers.
  function sortValue(row, i) {
    const cell = row.cells[i];
    const raw = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim();
    if (raw === "") return null;
    const n = Number(raw.replace(/[$,%]/g, ""));
    return isNaN(n) ? raw.toLowerCase() : n;
  }

  // First sort of a column: highest first for numbers (A to Z for text); again: reversed.
  // Blank cells always sort last. The header cell carries aria-sort.
  function sortBy(table, th) {
    const i = th.cellIndex;
    const rows = [...table.tBodies[0].rows];
    const numeric = rows.some((r) => typeof sortValue(r, i) === "number");
    const current = th.getAttribute("aria-sort");
    const firstDir = numeric ? "descending" : "ascending";
    const dir = current === firstDir ? (firstDir === "descending" ? "ascending" : "descending") : firstDir;
    for (const h of table.tHead.rows[0].cells) h.setAttribute("aria-sort", "none");
    th.setAttribute("aria-sort", dir);
    const sign = dir === "ascending" ? 1 : -1;
    rows.sort((a, b) => {
      const x = sortValue(a, i), y = sortValue(b, i);
      if (x === null || y === null) return (x === null) - (y === null);
      return (x < y ? -1 : x > y ? 1 : 0) * sign;
    });
    table.tBodies[0].append(...rows);
  }

  function sortable(table) {
    for (const th of table.tHead.rows[0].cells) {
      if (!th.hasAttribute("aria-sort")) th.setAttribute("aria-sort", "none");
      if (!th.querySelector("button")) {  // tables without buttons in the markup get them here
        const button = document.createElement("button");
        button.type = "button";
        button.className = "sort";
        button.append(...th.childNodes);
        th.append(button);
      }
      th.querySelector("button").addEventListener("click", () => sortBy(table, th));
    }
  }

  function filters() {
    for (const input of document.querySelectorAll("input.filter[data-filter]")) {
      const table = document.getElementById(input.dataset.filter);
      const empty = input.dataset.empty ? document.getElementById(input.dataset.empty) : null;
      if (!table) continue;
      input.addEventListener("input", () => {
        const q = input.value.toLowerCase();
        let shown = 0;
        for (const row of table.tBodies[0].rows) {
          row.hidden = !row.cells[0].textContent.toLowerCase().includes(q);
          if (!row.hidden) shown += 1;
        }
        if (empty) empty.hidden = shown > 0;
      });
    }
  }

  // htmx requests (the decision search) carry the session's CSRF token like the forms do.
  document.addEventListener("htmx:configRequest", (e) => {
    e.detail.headers["x-csrf-token"] = document.body.dataset.csrf;
  });

  document.addEventListener("DOMContentLoaded", () => {
    usageCharts();
    cellChart();
    document.querySelectorAll("table.sortable").forEach(sortable);
    filters();
  });
})();
