/* Findings table: filters, search, sort and paging are done by the API; CSV uses the same query. */
"use strict";
(function () {
  const F = window.FinOps;
  const form = document.getElementById("filters");
  const selects = { state: "f-state", lifecycle: "f-lifecycle", severity: "f-severity", service: "f-service",
    region: "f-region", account: "f-account", check: "f-check" };
  let page = 1, pages = 1;

  /* The page URL holds the query, so a filtered view can be bookmarked and survives reloads. */
  const initial = new URLSearchParams(window.location.search);
  for (const [name, id] of Object.entries(selects)) {
    const v = initial.get(name);
    if (!v) continue;
    const s = document.getElementById(id);
    s.append(F.el("option", { value: v, text: v }));
    s.value = v;
  }
  document.getElementById("q").value = initial.get("q") || "";
  document.getElementById("f-tag").value = initial.get("tag") || "";
  if (initial.get("sort")) document.getElementById("sort").value = initial.get("sort");
  page = Number(initial.get("page") || 1) || 1;

  function params() {
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form).entries()) if (v) p.set(k, v);
    if (page > 1) p.set("page", String(page));
    return p;
  }

  function fillFacet(id, values) {
    const s = document.getElementById(id);
    const keep = s.value;
    const first = s.options[0];
    F.clear(s).append(first);
    for (const v of values) s.append(F.el("option", { value: v, text: v }));
    if (keep && !values.includes(keep)) s.append(F.el("option", { value: keep, text: keep }));
    s.value = keep;
  }

  async function refresh() {
    const p = params();
    const doc = await F.api("/api/findings?" + p.toString());
    const d = doc.data;
    for (const [name, id] of Object.entries(selects)) fillFacet(id, d.facets[name] || []);
    const keys = F.clear(document.getElementById("tag-keys"));
    for (const k of d.facets.tag_keys || []) keys.append(F.el("option", { value: k + ":" }));
    pages = d.pages;
    const csv = new URLSearchParams(p); csv.delete("page");
    document.getElementById("csv").setAttribute("href", "/api/findings.csv?" + csv.toString());
    document.getElementById("count").textContent = d.total + " finding(s)";
    const t = d.totals, left = Object.entries(t.by_state).filter(([s, n]) => s !== "counted" && n > 0);
    const totals = document.getElementById("totals");
    totals.dataset.counted = String(t.counted);
    totals.dataset.savings = t.estimated_monthly_savings;
    totals.dataset.query = p.toString();
    totals.textContent = "Total of this filter: " + F.money(t.estimated_monthly_savings, "USD") +
      " / mo over " + t.counted + " counted finding(s)" +
      (left.length ? "; listed but not counted: " + left.map(([s, n]) => n + " " + s).join(", ") : "");
    const unknowns = F.unknownsText(t);
    totals.dataset.unpriced = String(t.unpriced_findings.count);
    if (unknowns) totals.textContent += "; " + unknowns;
    document.getElementById("page-info").textContent = "page " + d.page + " of " + d.pages;
    document.getElementById("prev").disabled = d.page <= 1;
    document.getElementById("next").disabled = d.page >= d.pages;
    const empty = document.getElementById("empty");
    empty.hidden = d.total > 0;
    document.getElementById("empty-text").textContent = doc.meta.has_snapshot
      ? "Nothing matches these filters." : "No snapshot yet: the first scan has not finished.";
    const tbody = F.clear(document.querySelector("#findings-table tbody"));
    for (const f of d.items) {
      tbody.append(F.el("tr", { dataset: { findingId: f.finding_id || "" } },
        F.el("td", {}, F.findingLink(f, f.title)),
        F.el("td", { title: f.resource_id }, f.resource_name || f.resource_id || "—"),
        F.el("td", { text: f.service }), F.el("td", { text: f.region }),
        F.el("td", { text: f.account_id }),
        F.el("td", {}, F.el("span", { className: "sev sev-" + f.severity, text: f.severity })),
        F.el("td", { text: f.lifecycle_state || f.status }),
        F.el("td", { className: "count-state" }, F.el("span", { className: "state state-" + f.count_state,
          title: f.count_state === "superseded" ? "superseded by " + (f.superseded_by || []).join(", ")
            : "", text: f.count_state === "counted" ? "counted" : "not counted: " + f.count_state })),
        F.el("td", { className: "num savings" }, F.savings(f)),
        F.el("td", { className: "num actual-cost" }, F.resourceCost(f, "30d", d.has_cur)),
        F.el("td", {}, F.tagList(f.tags))));
    }
  }

  function apply() {
    window.history.replaceState(null, "", "/findings?" + params().toString());
    return refresh().catch((e) => F.banner("Could not load findings: " + e.message));
  }

  form.addEventListener("submit", (ev) => { ev.preventDefault(); page = 1; apply(); });
  form.addEventListener("change", (ev) => {
    if (ev.target.tagName === "SELECT") { page = 1; apply(); }
  });
  document.getElementById("prev").addEventListener("click", () => { page = Math.max(1, page - 1); apply(); });
  document.getElementById("next").addEventListener("click", () => { page = Math.min(pages, page + 1); apply(); });
  F.start(refresh);
})();
