"""The JSON API: one endpoint per view, each scoped to the authenticated tenant (`g.tenant`).

Every response is `{"meta": …, "data": …}`; meta says which snapshot version the data
comes from, when it was taken, whether the newest set was rejected (the data is then the
last good set) and whether auth is off, so every page can show its stamp and banner from
whatever call it made.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify, request, stream_with_context

from web import views
from web.findings import Query, facets, to_csv
from web.live import stream
from web.snapshots import SnapshotStore, View

bp = Blueprint("api", __name__)


def _store() -> SnapshotStore:
    return current_app.extensions["finops"]["store"]


def current_view() -> View:
    """The authenticated tenant's view, loaded once per request."""
    if "view" not in g:
        g.view = _store().view(g.tenant)
    return g.view


def meta(view: View) -> dict[str, Any]:
    snap = view.snapshot
    return {
        "tenant": g.tenant,
        "version": snap.version if snap else None,
        "as_of": snap.as_of if snap else None,
        "error": view.error,
        "has_snapshot": snap is not None,
        "auth": "off" if g.get("auth_off") else "token",
    }


def reply(data: Any) -> Response:
    view = current_view()
    return jsonify({"meta": meta(view), "data": data})


@bp.get("/meta")
def get_meta() -> Response:
    return reply(None)


@bp.get("/overview")
def get_overview() -> Response:
    return reply(views.overview(current_view().snapshot))


def _query() -> Query:
    try:
        return Query.from_args(request.args)
    except ValueError as exc:
        abort(400, description=str(exc))


@bp.get("/findings")
def get_findings() -> Response:
    query = _query()
    findings = views.findings_of(current_view().snapshot)
    page = query.page_of(query.select(findings))
    page["facets"] = facets(findings)
    page["has_cur"] = views.has_cur(current_view().snapshot)
    return reply(page)


@bp.get("/findings.csv")
def get_findings_csv() -> Response:
    query = _query()
    rows = query.select(views.findings_of(current_view().snapshot))
    resp = Response(to_csv(rows), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="findings-{g.tenant}.csv"'
    return resp


@bp.get("/findings/<finding_id>")
def get_finding(finding_id: str) -> Response:
    found = views.detail(current_view().snapshot, finding_id)
    if found is None:
        abort(404, description=f"no finding {finding_id!r} in the current snapshot")
    return reply(found)


@bp.get("/correlations")
def get_correlations() -> Response:
    return reply(views.correlations(current_view().snapshot))


@bp.get("/coverage")
def get_coverage() -> Response:
    return reply(views.coverage(current_view().snapshot))


@bp.get("/scans")
def get_scans() -> Response:
    return reply(views.scans(current_view().snapshot))


@bp.get("/trend")
def get_trend() -> Response:
    return reply(views.trend_points(current_view().snapshot))


@bp.get("/events")
def get_events() -> Response:
    """Server-sent events for this tenant: a hello with the current version, then updates."""
    hello = meta(current_view())
    broadcaster = current_app.extensions["finops"]["broadcaster"]
    heartbeat = float(current_app.config["HEARTBEAT_S"])
    body = stream_with_context(stream(broadcaster, g.tenant, hello, heartbeat))
    resp = Response(body, mimetype="text/event-stream")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Accel-Buffering"] = "no"
    return resp
