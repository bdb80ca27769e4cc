/* Overview: headline numbers, savings by service and over scans (Chart.js), breakdowns. */
"use strict";
(function () {
  const F = window.FinOps;
  const charts = {};

  // `partial`: an optional second series of points without a line (a scan in progress)
  function chart(id, type, labels, values, label, partial, partialLabel) {
    const canvas = document.getElementById(id);
    if (!window.Chart || !canvas) return;
    if (charts[id]) {
      charts[id].data.labels = labels;
      charts[id].data.datasets[0].data = values;
      if (partial) charts[id].data.datasets[1].data = partial;
      charts[id].update();
      return;
    }
    const datasets = [{ label: label, data: values, borderWidth: 2,
      backgroundColor: "rgba(46, 125, 50, 0.55)", borderColor: "rgb(46, 125, 50)",
      tension: 0.25, fill: type === "line" }];
    if (partial) {
      datasets.push({ label: partialLabel, data: partial, showLine: false, pointRadius: 6,
        pointStyle: "rectRot", borderColor: "rgb(230, 126, 34)", backgroundColor: "#fff" });
    }
    charts[id] = new window.Chart(canvas, {
      type: type,
      data: { labels: labels, datasets: datasets },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } },
    });
  }

  function breakdown(id, rows, currency) {
    F.table(document.getElementById(id), [
      { label: "Name", key: "key" },
      { label: "Findings", key: "count", num: true },
      { label: "Est. savings / mo", num: true,
        render: (r) => F.money(r.estimated_monthly_savings, currency) },
      { label: "Unpriced", key: "unpriced", num: true },
    ], rows);
  }

  async function refresh() {
    const doc = await F.api("/api/overview");
    const d = doc.data;
    document.getElementById("empty").hidden = !d.empty;
    document.getElementById("content").hidden = d.empty;
    if (d.empty) return;
    const cur = d.currency;
    const total = document.getElementById("total-savings");
    total.textContent = F.money(d.estimated_monthly_savings, cur);
    total.dataset.amount = d.estimated_monthly_savings;
    total.dataset.unpriced = String(d.unpriced_findings.count);
    document.getElementById("total-unknowns").textContent = F.unknownsText(d) || "every counted finding is priced";
    document.getElementById("unpriced-section").hidden = !d.unpriced_missing.length;
    F.table(document.getElementById("unpriced"), [
      { label: "Missing", key: "key" }, { label: "Region", key: "region" },
      { label: "Findings", key: "findings", num: true },
    ], d.unpriced_missing);
    const actual = document.getElementById("actual-covered");
    F.clear(actual).append(F.cost(d.actual_cost_30d_covered, cur, d.has_cur));
    document.getElementById("actual-covered-sub").textContent = d.has_cur
      ? d.findings_with_actual_cost + " of " + d.findings_open + " counted findings billed to the resource" +
        (d.findings_with_scoped_cost_only ? "; " + d.findings_with_scoped_cost_only +
          " more with a scope roll-up only" : "")
      : "no CUR data for this tenant";
    const r = d.realized || {};
    document.getElementById("realized-savings").textContent = r.available
      ? F.money(r.realized_monthly, cur) : "—";
    document.getElementById("realized-sub").textContent = r.available
      ? r.resolved_measured + " of " + r.resolved + " resolved findings measured; " +
        F.money(r.realized_to_date, cur) + " saved to date" +
        (r.bill_generated_for_demo ? " (on the bill generated for the demo)" : "")
      : "no resolved finding measured on the bill yet";
    document.getElementById("open-count").textContent = d.findings_open;
    const left = Object.entries(d.by_status).filter(([s, n]) => s !== "counted" && n > 0);
    document.getElementById("total-count").textContent = d.findings_total + " listed" +
      (left.length ? "; not counted: " + left.map(([s, n]) => n + " " + s).join(", ") : "");
    chart("chart-service", "bar", d.by_service.map((r) => r.key),
      d.by_service.map((r) => Number(r.estimated_monthly_savings)), "savings / mo");
    // whole runs make the line; a run in progress (a running sum) is a separate point
    const whole = (p) => p.status === "complete" || p.status === "unverified";
    const value = (p) => p.estimated_monthly_savings === null ? null
      : Number(p.estimated_monthly_savings);
    chart("chart-trend", "line", d.trend.map((p) => F.shortTime(p.label)),
      d.trend.map((p) => whole(p) ? value(p) : null), "estimated savings (whole scan runs)",
      d.trend.map((p) => whole(p) ? null : value(p)), "scan in progress (so far)");
    const run = d.scan_in_progress;
    const note = document.getElementById("scan-progress");
    note.hidden = !run;
    note.textContent = run ? "Scan run " + run.run_id + " in progress: " + run.scopes_reported +
      " of " + run.scopes + " account/region scopes reported, " + run.findings_stored + " of " +
      run.findings_reported + " reported findings stored. Until it completes, the totals keep " +
      "the previous run's findings for its scopes." : "";
    breakdown("by-service", d.by_service, cur);
    breakdown("by-region", d.by_region, cur);
    breakdown("by-account", d.by_account, cur);
    F.table(document.getElementById("top-savings"), [
      { label: "Finding", render: (f) => F.findingLink(f, f.title) },
      { label: "Resource", render: (f) => f.resource_name || f.resource_id },
      { label: "Account", key: "account_id" }, { label: "Region", key: "region" },
      { label: "Service", key: "service" },
      { label: "Est. savings / mo", num: true, render: (f) => F.savings(f) },
    ], d.top_savings);
  }

  F.start(refresh);
})();
