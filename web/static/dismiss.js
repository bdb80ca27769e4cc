/* Finding page: suppress (reason required, optional expiry) or lift, and the audit trail.
 * Writes go to /api/findings/<id>/suppression with the CSRF token the page was rendered with;
 * the state is re-read after each write and after every new snapshot (the page's refresh). */
"use strict";
(function () {
  const F = window.FinOps;
  const id = document.body.dataset.findingId;
  const path = "/api/findings/" + encodeURIComponent(id) + "/suppression";
  const form = document.getElementById("dismiss-form");
  const lift = document.getElementById("lift-form");
  const errorBox = document.getElementById("dismiss-error");
  const csrf = form.dataset.csrf;

  function showError(text) {
    errorBox.textContent = text || "";
    errorBox.hidden = !text;
  }

  function describe(s) {
    const a = s.applied, r = s.rule;
    const expiry = (x) => x && x.expires_at ? ", expires " + F.fmtTime(x.expires_at) : "";
    if (s.store_error) return ["error", "The suppression file cannot be read: " + s.store_error];
    if (r && s.pending) {
      return ["pending-suppress", "Suppressed by " + r.author + " (" + r.reason + expiry(r) +
        "); pending: the next jobs window applies it and leaves it out of the totals."];
    }
    if (r) {
      return ["suppressed", "Suppressed by " + r.author + ": " + r.reason + expiry(r) +
        ". Not counted in the totals."];
    }
    if (s.pending) {
      return ["pending-lift", "Suppression lifted; pending: the next jobs window counts it again."];
    }
    if (s.by_other_rule) {
      return ["other-rule", "Suppressed by a rule of the suppression file (not made on this page): " +
        a.reason + " (by " + a.author + expiry(a) + "). Edit that file to lift it."];
    }
    return ["none", "Not suppressed."];
  }

  async function refresh() {
    let doc;
    try {
      doc = await F.api(path);
    } catch (e) {
      if (e.status === 404) { document.getElementById("dismiss-section").hidden = true; return; }
      showError("Could not read the suppression state: " + e.message);
      return;
    }
    const s = doc.data;
    document.getElementById("dismiss-section").hidden = false;
    const [code, text] = describe(s);
    document.getElementById("dismiss-state").textContent = text;
    document.body.dataset.dismissal = code;
    form.hidden = !s.can_write || Boolean(s.rule) || code === "other-rule";
    lift.hidden = !s.can_write || !s.rule;
    if (!s.can_write && s.write_refusal) {
      document.getElementById("dismiss-state").textContent = text + " " + s.write_refusal;
    }
    F.table(document.getElementById("audit"), [
      { label: "When", render: (h) => F.fmtTime(h.at) },
      { label: "Action", key: "action" },
      { label: "Who", render: (h) => h.who + (h.via ? " (" + h.via + ")" : "") },
      { label: "Reason", render: (h) => h.reason || "" },
      { label: "Expires", render: (h) => h.expires_at ? F.fmtTime(h.expires_at) : "" },
    ], (s.history || []).slice().reverse(), "no changes made from the dashboard");
    document.body.dataset.dismissRefreshed =
      String(Number(document.body.dataset.dismissRefreshed || 0) + 1);
  }

  async function send(method, body) {
    let resp;
    try {
      resp = await fetch(path, {
        method: method, credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json",
          "X-CSRF-Token": csrf },
        body: JSON.stringify(body),
      });
    } catch (e) {
      showError("Cannot reach the server (" + e.message + ").");
      return;
    }
    let doc = null;
    try { doc = await resp.json(); } catch (e) { doc = null; }
    if (!resp.ok) {
      showError((doc && doc.detail ? doc.detail : resp.statusText) + " (HTTP " + resp.status + ")");
      return;
    }
    showError(null);
    await refresh();
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const reason = document.getElementById("dismiss-reason").value.trim();
    if (!reason) { showError("A reason is required."); return; }
    const expires = document.getElementById("dismiss-expires").value;
    send("POST", expires ? { reason: reason, expires_at: expires } : { reason: reason });
  });
  lift.addEventListener("submit", (ev) => {
    ev.preventDefault();
    send("DELETE", { reason: document.getElementById("lift-reason").value.trim() });
  });

  /* Re-read after every refresh of the page (a new snapshot may have applied the change). */
  new MutationObserver(() => refresh()).observe(document.body,
    { attributes: true, attributeFilter: ["data-refreshed"] });
  refresh();
})();
