/* Shared page code: API calls, the status bar, the live-update connection, safe DOM building.
 * Data is only ever put into the page with textContent (el()), never as markup, so a hostile
 * tag value or resource name is displayed as text and never parsed as markup. */
"use strict";
(function () {
  const body = document.body;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = String(v);
      else if (k === "className") node.className = v;
      else if (k === "dataset") Object.assign(node.dataset, v);
      else if (k === "href") node.setAttribute("href", safeHref(v));
      else node.setAttribute(k, String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function safeHref(v) {
    const s = String(v);
    return s.startsWith("/") && !s.startsWith("//") ? s : "#";
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function money(v, currency) {
    if (v === null || v === undefined || v === "") return "—";
    const n = Number(v);
    if (!Number.isFinite(n)) return String(v);
    try {
      return new Intl.NumberFormat(undefined, { style: "currency", currency: currency || "USD" })
        .format(n);
    } catch (e) { return n.toFixed(2) + " " + (currency || ""); }
  }

  /* A cost that is unknown is not zero: no CUR means "no billing data". */
  function cost(v, currency, hasCur) {
    if (v === null || v === undefined || v === "") {
      return el("span", { className: "nodata", text: hasCur ? "not attributed" : "no billing data" });
    }
    return money(v, currency);
  }

  function fmtTime(iso) {
    if (!iso) return "—";
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
  }

  /* A compact stamp for chart axes: "Nov 20 10:00". */
  function shortTime(iso) {
    const d = new Date(iso);
    if (!iso || Number.isNaN(d.getTime())) return String(iso || "");
    return d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit",
      minute: "2-digit" });
  }

  function banner(text) {
    const b = document.getElementById("banner");
    if (!b) return;
    if (text) { b.textContent = text; b.hidden = false; } else { b.textContent = ""; b.hidden = true; }
  }

  function applyMeta(meta) {
    const stamp = document.getElementById("last-updated");
    stamp.textContent = meta.as_of ? fmtTime(meta.as_of) : "no snapshot yet";
    stamp.setAttribute("datetime", meta.as_of || "");
    stamp.title = meta.as_of || "";
    document.getElementById("version").textContent =
      meta.version === null || meta.version === undefined ? "" : "v" + meta.version;
    const version = meta.version === null || meta.version === undefined ? "" : String(meta.version);
    if (version !== (body.dataset.version || "") || !body.dataset.version) {
      const got = document.getElementById("received");
      if (got) got.textContent = "received " + new Date().toLocaleTimeString();
    }
    body.dataset.version = version;
    if (meta.error) {
      banner("The newest snapshot was rejected (" + meta.error + "). " +
        (meta.has_snapshot ? "Showing the last good data." : "No good snapshot to show yet."));
    } else {
      banner(null);
    }
  }

  async function api(path) {
    let resp;
    try {
      resp = await fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch (e) {
      throw new Error("cannot reach the server (" + e.message + ")");
    }
    let doc = null;
    try { doc = await resp.json(); } catch (e) { doc = null; }
    if (!resp.ok) {
      const detail = doc && doc.detail ? doc.detail : resp.statusText;
      const err = new Error(detail + " (HTTP " + resp.status + ")");
      err.status = resp.status;
      throw err;
    }
    if (doc && doc.meta) applyMeta(doc.meta);
    return doc;
  }

  function setConn(state, text) {
    const c = document.getElementById("conn");
    c.className = "conn " + state;
    c.textContent = text;
    body.dataset.conn = state;
  }

  /* Run the page's refresh now and after every snapshot event; keep the last data on error. */
  function start(refresh) {
    let running = false, again = false;
    async function go() {
      if (running) { again = true; return; }
      running = true;
      try {
        do { again = false; await refresh(); } while (again);
        body.dataset.refreshed = String(Number(body.dataset.refreshed || 0) + 1);
      } catch (e) {
        if (e.status === 401) { window.location.reload(); return; }
        banner("Could not refresh: " + e.message + ". Showing the last data received.");
      } finally { running = false; }
    }
    go();
    if (!window.EventSource) { setConn("offline", "no live updates (browser)"); return; }
    connect(go, 0);
  }

  /* The browser retries a dropped stream by itself; a refused one (CLOSED) is retried here. */
  function connect(go, failures) {
    const es = new EventSource("/api/events");
    es.addEventListener("open", () => { failures = 0; setConn("live", "live"); });
    es.addEventListener("hello", (ev) => {
      setConn("live", "live");
      /* After a reconnect, events sent while away are lost: catch up if the version moved. */
      let hello = {};
      try { hello = JSON.parse(ev.data); } catch (e) { hello = {}; }
      const shown = body.dataset.version || "";
      const now = hello.version === null || hello.version === undefined ? "" : String(hello.version);
      if (body.dataset.refreshed && now !== shown) go();
    });
    es.addEventListener("snapshot", (ev) => {
      body.dataset.events = String(Number(body.dataset.events || 0) + 1);
      go();
    });
    es.addEventListener("error", (ev) => {
      if (ev.data) { go(); return; }   /* a rejected snapshot: refresh shows the banner */
      if (es.readyState === EventSource.CLOSED) {
        setConn("offline", "offline, retrying");
        const wait = Math.min(30000, 2000 * Math.pow(2, failures));
        setTimeout(() => connect(go, failures + 1), wait);
      } else {
        setConn("reconnecting", "reconnecting…");
      }
    });
  }

  function table(node, columns, rows, emptyText) {
    clear(node);
    if (!rows.length) {
      node.append(el("tbody", {}, el("tr", {}, el("td", { className: "muted",
        text: emptyText || "none" }))));
      return;
    }
    node.append(el("thead", {}, el("tr", {}, columns.map((c) =>
      el("th", { className: c.num ? "num" : null, text: c.label })))));
    node.append(el("tbody", {}, rows.map((r) => el("tr", {}, columns.map((c) => {
      const v = c.render ? c.render(r) : r[c.key];
      return el("td", { className: c.num ? "num" : null }, v === null || v === undefined ? "—" : v);
    })))));
  }

  /* A filter drop-down refilled with the current facet values, its choice kept (also when
     the value is no longer among them, so a bookmarked filter still shows). */
  function fillSelect(id, values) {
    const s = document.getElementById(id);
    const keep = s.value;
    const first = s.options[0];
    clear(s).append(first);
    for (const v of values) s.append(el("option", { value: v, text: v }));
    if (keep && !values.includes(keep)) s.append(el("option", { value: keep, text: keep }));
    s.value = keep;
  }

  function findingLink(f, label) {
    const id = f.finding_id || f.fingerprint;
    if (!id) return String(label || "");
    return el("a", { href: "/findings/" + encodeURIComponent(id), className: "finding-link" },
      String(label || id));
  }

  function tagList(tags) {
    const entries = Object.entries(tags || {});
    if (!entries.length) return el("span", { className: "muted", text: "none" });
    return el("span", { className: "tags" }, entries.map(([k, v]) =>
      el("span", { className: "tag", title: k + "=" + v }, k + "=" + v)));
  }

  /* A finding's own cost over one window (key e.g. "30d"). A scope roll-up is never shown as
   * the resource's cost: the cell says "scope total" with the scope named. A window the bill
   * does not cover says "no billing data", never $0.00. */
  function resourceCost(f, key, hasCur) {
    const cur = f.actual_currency || f.currency;
    const own = f["actual_cost_" + key];
    if (own !== null && own !== undefined && own !== "") return money(own, cur);
    if (!hasCur) return el("span", { className: "nodata", text: "no billing data" });
    if (f.cost_scope) {
      const scope = f["scope_cost_" + key];
      return el("span", { className: "nodata scope-cost", title: "total of " + f.cost_scope +
        ": the bill does not name this resource; not its own cost",
        text: scope === null || scope === undefined ? "no billing data"
          : "scope total " + money(scope, cur) });
    }
    return el("span", { className: "nodata",
      text: f.attribution_method === "exact_resource" ? "no billing data" : "not attributed" });
  }

  /* A finding's savings as shown everywhere: unpriced says why, a lower bound says so. */
  function savings(f) {
    if (f.unpriced_reason) {
      return el("span", { className: "nodata unpriced", title: (f.missing_prices || []).join(", "),
        text: "unpriced: " + f.unpriced_reason });
    }
    const amount = money(f.estimated_monthly_savings, f.currency);
    if (f.lower_bound) {
      return el("span", { className: "lower-bound",
        title: "lower bound: no price for " + (f.missing_prices || []).join(", "), text: "≥ " + amount });
    }
    return amount;
  }

  /* What a total leaves out: "leaves out 12 unpriced (10 price missing from the catalog, …)". */
  function unknownsText(t) {
    const u = t.unpriced_findings, parts = [];
    if (u && u.count) {
      const why = Object.entries(u.by_reason).filter(([, n]) => n > 0).map(([r, n]) => n + " " + r);
      parts.push("leaves out " + u.count + " unpriced finding(s) (" + why.join(", ") + ")");
    }
    if (t.lower_bound && t.lower_bound.count) {
      parts.push("includes " + t.lower_bound.count + " lower bound(s) (partly priced)");
    }
    return parts.join("; ");
  }

  window.FinOps = { el, clear, money, cost, fmtTime, shortTime, banner, api, start, table, findingLink,
    fillSelect,
    tagList, setConn, savings, unknownsText, resourceCost };
})();
