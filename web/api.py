"""The JSON API: one endpoint per view, each scoped to the authenticated tenant (`g.tenant`).

Every response is `{"meta": …, "data": …}`; meta says which snapshot version the data
comes from, when it was taken, whether the newest set was rejected (the data is then the
last good set) and whether auth is off, so every page can show its stamp and banner from
whatever call it made.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, jsonify, request

from web import views
from web.findings import Query, facets, groups_csv, haystacks, to_csv
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
    return reply(views.cached(current_view().snapshot, "overview", views.overview))


def _query() -> Query:
    try:
        return Query.from_args(request.args)
    except ValueError as exc:
        abort(400, description=str(exc))


def _selected(query: Query) -> list[dict[str, Any]]:
    """The query's findings; the full sort order is cached per set and sort key."""
    snap = current_view().snapshot
    findings = views.findings_of(snap)
    if snap is None:
        return query.select(findings)
    ordered = snap.cached(f"order:{query.order_key}", lambda: query.order(findings))
    hay = snap.cached("haystacks", lambda: haystacks(findings)) if query.search else None
    return query.select(findings, ordered, hay)


@bp.get("/findings")
def get_findings() -> Response:
    query = _query()
    snap = current_view().snapshot
    findings = views.findings_of(snap)
    selected = _selected(query)
    page = query.page_of(selected)
    # the totals of the whole selection (every page), counted as the overview counts
    page["totals"] = views.totals(selected)
    page["group"] = query.group
    page["groups"] = views.groups(selected, query.group_key) if query.group else None
    page["facets"] = views.cached(snap, "facets", lambda s: facets(findings))
    page["has_cur"] = views.cached(snap, "has_cur", views.has_cur)
    return reply(page)


@bp.get("/findings.csv")
def get_findings_csv() -> Response:
    query = _query()
    rows = _selected(query)
    if query.group:  # grouped: one row per group, as the page shows it
        body = groups_csv(query.group, views.groups(rows, query.group_key))
        name = f"findings-{g.tenant}-by-{re.sub(r'[^A-Za-z0-9_.-]', '-', query.group)}.csv"
    else:
        body, name = to_csv(rows), f"findings-{g.tenant}.csv"
    resp = Response(body, mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@bp.get("/findings/<finding_id>")
def get_finding(finding_id: str) -> Response:
    found = views.detail(current_view().snapshot, finding_id)
    if found is None:
        abort(404, description=f"no finding {finding_id!r} in the current snapshot")
    return reply(found)


@bp.get("/correlations")
def get_correlations() -> Response:
    """Meta-findings paged and filtered like the findings list (check = the rule id); the
    totals are the selection's (meta-findings restate their sources: never in the headline)."""
    query = _query()
    snap = current_view().snapshot
    rows = views.cached(snap, "correlations", views.correlations)
    selected = query.select(rows)
    page = query.page_of(selected)  # items keep their sources (public() copies every key)
    page["totals"] = {"findings": len(selected), "estimated_monthly_savings": views.money_text(
        views.savings_total(selected))}
    page["facets"] = views.cached(snap, "correlation_facets", lambda s: facets(rows))
    return reply(page)


@bp.get("/coverage")
def get_coverage() -> Response:
    return reply(views.cached(current_view().snapshot, "coverage", views.coverage))


@bp.get("/scans")
def get_scans() -> Response:
    return reply(views.cached(current_view().snapshot, "scans", views.scans))


@bp.get("/trend")
def get_trend() -> Response:
    return reply(views.cached(current_view().snapshot, "trend", views.trend_points))


@bp.get("/events")
def get_events() -> Response:
    """Server-sent events for this tenant: a hello with the current version, then updates."""
    hello = meta(current_view())
    broadcaster = current_app.extensions["finops"]["broadcaster"]
    heartbeat = float(current_app.config["HEARTBEAT_S"])
    # No stream_with_context: the stream needs no request state, and keeping the request
    # context alive would pin this request's snapshot set for as long as the page stays open.
    resp = Response(stream(broadcaster, g.tenant, hello, heartbeat), mimetype="text/event-stream")
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Accel-Buffering"] = "no"
    return resp
