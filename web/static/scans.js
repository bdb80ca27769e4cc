/* Scans: latest scan per account and region, with its errors and duration. */
"use strict";
(function () {
  const F = window.FinOps;
  async function refresh() {
    const rows = (await F.api("/api/scans")).data;
    document.getElementById("empty").hidden = rows.length > 0;
    F.table(document.getElementById("scans"), [
      { label: "Account", key: "account_id" }, { label: "Region", key: "region" },
      { label: "Status", render: (r) => F.el("span", { className: "scan-" + r.status, text: r.status }) },
      { label: "Checks run", key: "checks", num: true },
      { label: "Duration", num: true,
        render: (r) => r.duration_s === null ? "—" : r.duration_s.toFixed(1) + " s" },
      { label: "Finished", render: (r) => F.fmtTime(r.finished_at) },
      { label: "Errors", render: (r) => r.errors.length
        ? F.el("ul", { className: "errors" }, r.errors.map((e) => F.el("li", { text: e })))
        : F.el("span", { className: "muted", text: "none" }) },
    ], rows);
  }
  F.start(refresh);
})();
