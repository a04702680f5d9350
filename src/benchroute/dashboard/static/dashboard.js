// benchroute dashboard: draws the charts from the JSON embedded in the page, sorts and filters tables.
// No inline scripts anywhere (the pages send a strict Content-Security-Policy).
(function () {
  "use strict";
  const palette = ["#2457c5", "#e07b00", "#1d7a46", "#b42318", "#7a3fc4", "#0f8b8d", "#a05a2c", "#5d6676",
    "#c4378f", "#6b8e23"];
  const color = (i) => palette[i % palette.length];

  function readJson(id) {
    const el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function stackedBar(canvasId, labels, series, yTitle) {
    const canvas = document.getElementById(canvasId);
    if (!canvas || typeof Chart === "undefined") return;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: labels,
        datasets: series.map((s, i) => ({ label: s.model, data: s.data, backgroundColor: color(i) })),
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: { display: true, text: yTitle } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      },
    });
  }

  function usageCharts() {
    const data = readJson("usage-data");
    if (!data) return;
    stackedBar("chart-requests", data.days, data.requests, "requests");
    stackedBar("chart-cost", data.days, data.cost, "USD");
  }

  function cellChart() {
    const data = readJson("cells-data");
    const canvas = document.getElementById("chart-cells");
    if (!data || !canvas || typeof Chart === "undefined") return;
    new Chart(canvas, {
      type: "bar",
      data: { labels: data.cells, datasets: [{ label: "P(cell | request)", data: data.probs, backgroundColor: color(0) }] },
      options: {
        indexAxis: "y", responsive: true, maintainAspectRatio: false, animation: false,
        scales: { x: { min: 0, max: 1 } }, plugins: { legend: { display: false } },
      },
    });
  }

  function sortValue(row, i) {
    const cell = row.cells[i];
    const raw = cell.dataset.v !== undefined ? cell.dataset.v : cell.textContent.trim();
    const n = parseFloat(raw);
    return isNaN(n) || cell.dataset.v === undefined && !/^[\d.,$%-]+$/.test(raw) ? raw.toLowerCase() : n;
  }

  function sortable(table) {
    table.tHead.addEventListener("click", (e) => {
      const th = e.target.closest("th");
      if (!th) return;
      const i = th.cellIndex;
      const asc = !th.classList.contains("asc");
      for (const h of table.tHead.rows[0].cells) h.classList.remove("asc", "desc");
      th.classList.add(asc ? "asc" : "desc");
      const rows = [...table.tBodies[0].rows].sort((a, b) => {
        const x = sortValue(a, i), y = sortValue(b, i);
        return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
      });
      table.tBodies[0].append(...rows);
    });
  }

  function filters() {
    for (const input of document.querySelectorAll("input.filter[data-filter]")) {
      const table = document.getElementById(input.dataset.filter);
      if (!table) continue;
      input.addEventListener("input", () => {
        const q = input.value.toLowerCase();
        for (const row of table.tBodies[0].rows) row.hidden = !row.cells[0].textContent.toLowerCase().includes(q);
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
