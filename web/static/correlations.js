/* Correlations: each meta-finding with the findings it was built from. */
"use strict";
(function () {
  const F = window.FinOps;
  async function refresh() {
    const doc = await F.api("/api/correlations");
    document.getElementById("empty").hidden = doc.data.length > 0;
    F.table(document.getElementById("correlations"), [
      { label: "Finding", render: (f) => F.findingLink(f, f.title) },
      { label: "Resource", render: (f) => f.resource_name || f.resource_id },
      { label: "Est. savings / mo", num: true,
        render: (f) => F.money(f.estimated_monthly_savings, f.currency) },
      { label: "Sources", render: (f) => F.el("ul", { className: "sources" }, (f.sources || []).map(
        (s) => F.el("li", {}, s.found ? F.findingLink(s, s.title || s.resource_id)
          : s.fingerprint + " (not in snapshot)"))) },
    ], doc.data);
  }
  F.start(refresh);
})();
