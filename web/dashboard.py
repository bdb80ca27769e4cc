"""The HTML pages: thin shells that the page scripts fill from the JSON API.

Data never reaches a page through the template except the finding id of a detail page (and
the tenant name), both escaped by Jinja's autoescape; everything else is drawn by the
scripts with `textContent`, so a hostile tag value or resource name is shown, never run.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template

bp = Blueprint("dashboard", __name__)

NAV = (
    ("dashboard.overview", "Overview"),
    ("dashboard.findings", "Findings"),
    ("dashboard.correlations", "Correlations"),
    ("dashboard.coverage", "Coverage"),
    ("dashboard.scans", "Scans"),
)


def page(template: str, name: str, **extra: object) -> str:
    return render_template(template, page=name, nav=NAV, tenant=g.tenant,
                           auth_off=g.get("auth_off", False), **extra)


@bp.get("/")
def overview() -> str:
    return page("overview.html", "overview")


@bp.get("/findings")
def findings() -> str:
    return page("findings.html", "findings")


@bp.get("/findings/<finding_id>")
def finding(finding_id: str) -> str:
    from web.dismiss_api import csrf_token, write_refusal

    # the suppress form posts with this session's CSRF token (web/csrf.py)
    return page("finding.html", "finding", finding_id=finding_id, csrf_token=csrf_token() or "",
                write_refusal=write_refusal() or "")


@bp.get("/correlations")
def correlations() -> str:
    return page("correlations.html", "correlations")


@bp.get("/coverage")
def coverage() -> str:
    return page("coverage.html", "coverage")


@bp.get("/scans")
def scans() -> str:
    return page("scans.html", "scans")
