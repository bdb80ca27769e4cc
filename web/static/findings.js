/* Findings table: filters, search, sort and paging are done by the API; CSV uses the same query. */
"use strict";
(function () {
  const F = window.FinOps;
  const form = document.getElementById("filters");
  const selects = { state: "f-state", lifecycle: "f-lifecycle", severity: "f-severity", service: "f-service",
    region: "f-region", account: "f-account", check: "f-check" };
  let page = 1, pages = 1, asked = 0;

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
  document.getElementById("f-min").value = initial.get("min_savings") || "";
  if (initial.get("group")) {
    const g = document.getElementById("f-group");
    if (![...g.options].some((o) => o.value === initial.get("group"))) {
      g.append(F.el("option", { value: initial.get("group"), text: "group by " + initial.get("group") }));
    }
    g.value = initial.get("group");
  }
  if (initial.get("sort")) document.getElementById("sort").value = initial.get("sort");
  page = Number(initial.get("page") || 1) || 1;

  function params() {
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form).entries()) if (v) p.set(k, v);
    if (page > 1) p.set("page", String(page));
    return p;
  }

  async function refresh() {
    const p = params();
    const mine = ++asked;
    const doc = await F.api("/api/findings?" + p.toString());
    if (mine !== asked) return;  /* a newer request (a click, a live update) is under way */
    const d = doc.data;
    for (const [name, id] of Object.entries(selects)) F.fillSelect(id, d.facets[name] || []);
    const keys = F.clear(document.getElementById("tag-keys"));
    for (const k of d.facets.tag_keys || []) keys.append(F.el("option", { value: k + ":" }));
    const group = document.getElementById("f-group");
    for (const k of d.facets.tag_keys || []) {
      if (![...group.options].some((o) => o.value === "tag:" + k)) {
        group.append(F.el("option", { value: "tag:" + k, text: "group by tag " + k }));
      }
    }
    showGroups(d);
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

  /* A grouped list: one row per group with its counts and counted total; a group's name
     filters the list to it. */
  function showGroups(d) {
    document.getElementById("groups-section").hidden = !d.group;
    if (!d.group) return;
    document.getElementById("groups-title").textContent = "By " + d.group.replace(/^tag:/, "tag ");
    F.table(document.getElementById("groups"), [
      { label: "Group", render: (g) => F.el("a", { href: "#", className: "group-link",
        dataset: { key: g.key } }, g.key) },
      { label: "Findings", key: "findings", num: true },
      { label: "Counted", key: "counted", num: true },
      { label: "Est. savings / mo (counted)", num: true,
        render: (g) => F.money(g.estimated_monthly_savings, "USD") },
      { label: "Unpriced", num: true, render: (g) => g.unpriced_findings.count },
      { label: "Lower bounds", num: true, render: (g) => g.lower_bound.count },
    ], d.groups || []);
  }

  document.getElementById("groups").addEventListener("click", (ev) => {
    const a = ev.target.closest("a.group-link");
    if (!a) return;
    ev.preventDefault();
    const g = document.getElementById("f-group").value, key = a.dataset.key;
    if (g.startsWith("tag:")) document.getElementById("f-tag").value = g.slice(4) + ":" + key;
    else {
      const s = document.getElementById(selects[g]);
      if (![...s.options].some((o) => o.value === key)) s.append(F.el("option", { value: key, text: key }));
      s.value = key;
    }
    document.getElementById("f-group").value = "";
    page = 1;
    apply();
  });

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
