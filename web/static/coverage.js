/* Coverage: how much of the findings and savings the CUR attributes exactly / by roll-up / not. */
"use strict";
(function () {
  const F = window.FinOps;
  const names = { exact_resource: "exact (resource id)", scoped_rollup: "roll-up (scope)",
    none: "none" };
  const pct = (x) => x === null || x === undefined ? "—" : (x * 100).toFixed(1) + " %";
  async function refresh() {
    const d = (await F.api("/api/coverage")).data;
    document.getElementById("cur-state").textContent = d.has_cur
      ? "CUR billing data is available for this tenant."
      : "No billing data (CUR) for this tenant: every finding is unattributed.";
    document.getElementById("empty").hidden = !d.empty;
    F.table(document.getElementById("coverage"), [
      { label: "Attribution", render: (r) => names[r.method] || r.method },
      { label: "Findings", key: "count", num: true },
      { label: "Share of findings", num: true, render: (r) => pct(r.share_of_findings) },
      { label: "Est. savings / mo", num: true, render: (r) => F.money(r.estimated_monthly_savings) },
      { label: "Share of savings", num: true, render: (r) => pct(r.share_of_savings) },
    ], d.methods);
  }
  F.start(refresh);
})();
