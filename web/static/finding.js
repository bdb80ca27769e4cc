/* Finding detail: resource, tags, formula and price source, actual cost, lifecycle, sources. */
"use strict";
(function () {
  const F = window.FinOps;
  const id = document.body.dataset.findingId;

  function kv(node, pairs) {
    F.clear(node);
    for (const [k, v] of pairs) {
      node.append(F.el("dt", { text: k }),
        F.el("dd", {}, v === null || v === undefined || v === "" ? "—" : v));
    }
  }

  /* A detail value as the page shows it: an object as a key/value table, a list of objects
     as a table with a column per key, a list of plain values joined; never a JSON string. */
  function value(v) {
    if (v === null || v === undefined || v === "") return null;
    if (Array.isArray(v)) {
      if (v.some((x) => x !== null && typeof x === "object" && !Array.isArray(x))) {
        const keys = [...new Set(v.flatMap((x) => x && typeof x === "object" ? Object.keys(x) : []))];
        const t = F.el("table", { className: "grid nested" });
        F.table(t, keys.map((k) => ({ label: k, render: (x) => value(x && x[k]) })), v);
        return t;
      }
      return v.map((x) => Array.isArray(x) ? x.join(" × ") : String(x)).join(", ");
    }
    if (typeof v === "object") {
      const t = F.el("table", { className: "grid nested" });
      F.table(t, [{ label: "Key", key: "k" }, { label: "Value", render: (r) => value(r.v) }],
        Object.entries(v).map(([k, x]) => ({ k: k, v: x })));
      return t;
    }
    return String(v);
  }

  async function refresh() {
    let doc;
    try {
      doc = await F.api("/api/findings/" + encodeURIComponent(id));
    } catch (e) {
      if (e.status === 404) {
        document.getElementById("missing").hidden = false;
        document.getElementById("content").hidden = true;
        await F.api("/api/meta");
        return;
      }
      throw e;
    }
    const f = doc.data;
    document.getElementById("missing").hidden = true;
    document.getElementById("content").hidden = false;
    document.getElementById("title").textContent = f.title || f.check_id || id;
    document.title = (f.title || id) + " · finops-stream";
    kv(document.getElementById("resource"), [
      ["Resource", f.resource_name || f.resource_id], ["Resource id", f.resource_id],
      ["Type", f.resource_type], ["Service", f.service], ["Account", f.account_id],
      ["Region", f.region], ["Check", f.check_id], ["Severity", f.severity],
      ["Status", f.status], ["Lifecycle", f.lifecycle_state], ["Scope", f.scope],
    ]);
    document.getElementById("remediation").textContent = f.remediation ||
      (f.source_fingerprints && f.source_fingerprints.length ? "See the sources below."
        : "No remediation known for check " + f.check_id + ".");
    document.getElementById("remediation-cli").textContent = f.remediation_cli || "";
    document.getElementById("remediation-cli").parentElement.hidden = !f.remediation_cli;
    kv(document.getElementById("savings"), [
      ["Estimated monthly savings", F.savings(f)],
      ["Counted in totals", f.counted ? "yes" : "no: " + f.count_state +
        (f.superseded_by && f.superseded_by.length ? " (by " + f.superseded_by.join(", ") + ")" : "")],
      ["Missing prices", (f.missing_prices || []).join(", ")],
      ["Formula", f.savings_formula ? F.el("code", { text: f.savings_formula }) : null],
      ["Price", value(f.price)], ["Price source", value(f.price_source)],
      ["Confidence", f.confidence], ["Alternative group", f.alternative_group],
      ["At the customer's rates", f.estimate_basis && f.estimate_basis.startsWith("bill")
        ? F.money(f.estimate_shown, f.currency) + " (" + f.estimate_basis + ")" : null],
      ["Realized monthly (on the bill)", f.realized && f.realized.realized_monthly !== null
        ? F.money(f.realized.realized_monthly, f.currency) + " (" + f.realized.cost_per_day_before +
          "/day before, " + f.realized.cost_per_day_after + "/day after; " + f.realized.method +
          ", confidence " + f.realized.confidence + ")" : null],
    ]);
    kv(document.getElementById("cost"), [
      ["Last 7 days", F.resourceCost(f, "7d", f.has_cur)],
      ["Last 30 days", F.resourceCost(f, "30d", f.has_cur)],
      ["Month to date", F.resourceCost(f, "mtd", f.has_cur)],
      ["Previous month", F.resourceCost(f, "prev_month", f.has_cur)],
      ["Attribution", f.attribution_method], ["Attribution confidence", f.attribution_confidence],
      ["Cost scope", f.cost_scope ? "scope roll-up of " + f.cost_scope : null],
    ]);
    const s = f.suppression;
    kv(document.getElementById("suppression"), f.suppressed || s ? [
      ["Suppressed", f.suppressed ? "yes" : "no"], ["Reason", s && s.reason],
      ["By", s && s.author], ["Expires", s && s.expires_at ? F.fmtTime(s.expires_at) : null],
    ] : [["Suppressed", "no"]]);
    F.table(document.getElementById("tags"), [
      { label: "Key", key: "k" }, { label: "Value", key: "v" },
    ], Object.entries(f.tags || {}).map(([k, v]) => ({ k: k, v: v })));
    F.table(document.getElementById("history"), [
      { label: "When", render: (h) => F.fmtTime(h.at || h.ts || h.time) },
      { label: "State", render: (h) => h.state || h.lifecycle_state || h.status },
      { label: "Note", render: (h) => h.note || h.reason || "" },
    ], f.history || []);
    F.table(document.getElementById("sources"), [
      { label: "Source", render: (x) => x.found ? F.findingLink(x, x.title) : x.fingerprint },
      { label: "Resource", key: "resource_id" }, { label: "Check", key: "check_id" },
      { label: "Est. savings / mo", num: true,
        render: (x) => x.found ? F.money(x.estimated_monthly_savings, f.currency) : "not in snapshot" },
    ], f.sources || []);
    F.table(document.getElementById("parents"), [
      { label: "Correlated finding", render: (m) => F.findingLink(m, m.title) },
    ], f.correlated_in || []);
    const details = Object.entries(f.details_parsed || {});
    kv(document.getElementById("details"), details.map(([k, v]) => [k, value(v)]));
  }

  F.start(refresh);
})();
