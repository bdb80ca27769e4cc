/* Correlations: one row per meta-finding, its primary source named apart from the others;
   filters and paging are done by the API, as for the findings list. */
"use strict";
(function () {
  const F = window.FinOps;
  const form = document.getElementById("filters");
  const selects = { check: "f-check", service: "f-service", region: "f-region", account: "f-account" };
  let page = 1, pages = 1, asked = 0;

  function params() {
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form).entries()) if (v) p.set(k, v);
    p.set("per_page", "25");
    if (page > 1) p.set("page", String(page));
    return p;
  }

  function source(s, cur) {
    return F.el("span", {}, s.found ? F.findingLink(s, s.title || s.resource_id)
      : s.fingerprint + " (not in snapshot)",
    s.found ? " · " + (s.check_id || "") + " · " + F.money(s.estimated_monthly_savings, cur) : "");
  }

  async function refresh() {
    const p = params();
    const mine = ++asked;
    const doc = await F.api("/api/correlations?" + p.toString());
    if (mine !== asked) return;  /* a newer request (a click, a live update) is under way */
    const d = doc.data;
    document.getElementById("count").dataset.query = p.toString();
    for (const [name, id] of Object.entries(selects)) F.fillSelect(id, d.facets[name] || []);
    pages = d.pages;
    document.getElementById("count").textContent = d.total + " meta-finding(s), " +
      F.money(d.totals.estimated_monthly_savings, "USD") + " / mo between them";
    document.getElementById("page-info").textContent = "page " + d.page + " of " + d.pages;
    document.getElementById("prev").disabled = d.page <= 1;
    document.getElementById("next").disabled = d.page >= d.pages;
    document.getElementById("empty").hidden = d.total > 0;
    document.getElementById("empty-text").textContent = doc.meta.has_snapshot && d.facets.check.length
      ? "Nothing matches these filters." : "No correlation rule matched in the current snapshot.";
    F.table(document.getElementById("correlations"), [
      { label: "Meta-finding", render: (f) => F.findingLink(f, f.title) },
      { label: "Rule", key: "check_id" },
      { label: "Account", key: "account_id" }, { label: "Region", key: "region" },
      { label: "Primary source", render: (f) => f.primary_source
        ? source(f.primary_source, f.currency) : "—" },
      { label: "Other sources", render: (f) => F.el("ul", { className: "sources" },
        (f.other_sources || []).map((s) => F.el("li", {}, source(s, f.currency)))) },
      { label: "Est. savings / mo", num: true, render: (f) => F.savings(f) },
    ], d.items);
  }

  function apply() { return refresh().catch((e) => F.banner("Could not load correlations: " + e.message)); }
  form.addEventListener("submit", (ev) => { ev.preventDefault(); page = 1; apply(); });
  form.addEventListener("change", (ev) => { if (ev.target.tagName === "SELECT") { page = 1; apply(); } });
  document.getElementById("prev").addEventListener("click", () => { page = Math.max(1, page - 1); apply(); });
  document.getElementById("next").addEventListener("click", () => { page = Math.min(pages, page + 1); apply(); });
  F.start(refresh);
})();
