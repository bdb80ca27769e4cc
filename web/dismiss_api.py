"""Suppress / un-suppress one finding from the dashboard (the API under the finding page's form).

`GET    /api/findings/<id>/suppression`  the finding's dismissal state and audit trail
`POST   /api/findings/<id>/suppression`  `{"reason": …, "expires_at"?: date or ISO time}`
`DELETE /api/findings/<id>/suppression`  `{"reason"?: …}`

Who may write: a request authenticated by the tenant's token (Bearer), or by the browser's
session cookie together with the CSRF token the page was rendered with (web/csrf.py). With
auth off (the local demo) writes are refused unless the server was started with
`--allow-writes-without-auth` (AUTH_OFF_WRITES); they still need the CSRF token. A change is
written to the tenant's suppression store and audit log (web/dismissals.py) and shows in the
totals after the next jobs window: until then the state says "pending".
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, request

from web import csrf, views
from web.api import current_view, reply
from web.dismissals import DismissalStore, DismissError

bp = Blueprint("dismiss", __name__)


def _store() -> DismissalStore:
    return current_app.extensions["finops"]["dismissals"]


def write_refusal() -> str | None:
    """Why this request's principal may not write at all (None: it may, given CSRF)."""
    if g.get("auth_off") and not current_app.config["AUTH_OFF_WRITES"]:
        return ("auth is off (demo): changes are refused; serve with --tokens, or start the "
                "demo server with --allow-writes-without-auth")
    return None


def csrf_token() -> str | None:
    """The CSRF token a page of this session renders into its forms (None: no session)."""
    binding = g.get("csrf_binding")
    return csrf.issue(current_app.config["SECRET_KEY"], binding) if binding else None


def _check_write() -> None:
    refusal = write_refusal()
    if refusal:
        abort(403, description=refusal)
    binding = g.get("csrf_binding")
    if binding is None:
        return  # the request brought its own token: nothing ambient to forge
    sent = request.headers.get(csrf.HEADER) or request.form.get(csrf.FIELD)
    if not csrf.valid(current_app.config["SECRET_KEY"], sent, binding,
                      int(current_app.config["SESSION_MAX_AGE_S"])):
        abort(403, description="missing or invalid CSRF token (reload the page)")


def _finding(finding_id: str) -> dict[str, Any]:
    row = views.detail(current_view().snapshot, finding_id)
    if row is None:
        abort(404, description="no such finding in the current snapshot")
    return row


def _body() -> dict[str, Any]:
    if request.is_json:
        doc = request.get_json(silent=True)
        if not isinstance(doc, dict):
            abort(400, description="expected a JSON object")
        return doc
    return request.form.to_dict()


def state(row: dict[str, Any]) -> dict[str, Any]:
    """The finding's suppression as the store has it and as the current snapshot applied it."""
    fingerprint = str(row.get("fingerprint") or "")
    store = _store()
    try:
        rule = store.rule_for(g.tenant, fingerprint) if fingerprint else None
        store_error = None
    except DismissError as exc:
        rule, store_error = None, str(exc)
    history = store.history(g.tenant, fingerprint) if fingerprint else []
    applied = row.get("suppression") if row.get("suppressed") else None
    if rule is not None:
        pending = applied is None or applied.get("reason") != rule.get("reason")
    else:
        last = next((h for h in reversed(history) if h.get("action") == "suppress"), None)
        lifted = bool(history) and history[-1].get("action") == "unsuppress"
        pending = bool(applied and lifted and last and applied.get("reason") == last.get("reason"))
    refusal = write_refusal()
    return {
        "fingerprint": fingerprint,
        "suppressed": bool(row.get("suppressed")),
        "applied": applied,                # what the current snapshot applied (any rule)
        "rule": rule,                      # the dashboard's rule for this finding, if any
        "pending": pending,                # the store differs; the next jobs window applies it
        "by_other_rule": applied is not None and rule is None and not pending,
        "history": history,
        "can_write": refusal is None and not row.get("source_fingerprints"),
        "write_refusal": refusal or ("a correlated finding cannot be suppressed: suppress its"
                                     " sources" if row.get("source_fingerprints") else None),
        "store_error": store_error,
    }


def _change(action: str, finding_id: str) -> Response:
    _check_write()
    row = _finding(finding_id)
    body = _body()
    now = datetime.now(UTC)
    try:
        if action == "suppress":
            entry = _store().suppress(g.tenant, row, body.get("reason"), body.get("expires_at"),
                                      g.actor, now)
        else:
            entry = _store().unsuppress(g.tenant, row, body.get("reason"), g.actor, now)
    except DismissError as exc:
        abort(exc.status, description=str(exc))
    current_app.logger.info("finding %s", action, extra={
        "tenant": g.tenant, "fingerprint": entry["fingerprint"], "who": entry["who"]})
    resp = reply({"change": entry, "state": state(row)})
    resp.status_code = 201 if action == "suppress" else 200
    return resp


@bp.get("/findings/<finding_id>/suppression")
def get_suppression(finding_id: str) -> Response:
    return reply(state(_finding(finding_id)))


@bp.post("/findings/<finding_id>/suppression")
def post_suppression(finding_id: str) -> Response:
    return _change("suppress", finding_id)


@bp.delete("/findings/<finding_id>/suppression")
def delete_suppression(finding_id: str) -> Response:
    return _change("unsuppress", finding_id)
