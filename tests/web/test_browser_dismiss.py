"""Headless Chromium: suppress a finding from its page, let the next window of the real jobs
apply it (the totals leave it out), then lift it again.

The set is one the jobs wrote from a scan of the simulated estate (`estate_output`); the test
runs further windows of a JobRunner over a private copy of its inputs, and the server's file
watcher brings each new set to the open page, as in production.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.web.test_browser import body, driver, serve, text, wait_for  # noqa: F401
from tests.web.test_dismiss import TOKENS, _copy_inputs, named_tokens  # noqa: F401

pytestmark = pytest.mark.browser


def _headline(drv: Any, url: str) -> Decimal:
    drv.get(f"{url}/")
    wait_for(drv, lambda: body(drv, "refreshed"), "overview data")
    return Decimal(drv.execute_script(
        "return document.getElementById('total-savings').dataset.amount"))


def _fetch_status(drv: Any, path: str, headers: dict[str, str]) -> int:
    """A write the page's own origin sends with the session cookie but the given headers."""
    return int(drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {method: 'POST', credentials: 'same-origin', headers: arguments[1],"
        " body: JSON.stringify({reason: 'forged'})}).then((r) => done(r.status),"
        " (e) => done(-1));", path, {"Content-Type": "application/json", **headers}))


def test_suppress_from_the_page_applied_by_the_next_window_then_lifted(
        driver: Any, estate_output: Any, tmp_path: Path, named_tokens: Path) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    from jobs.window import JobPaths, JobRunner

    data = _copy_inputs(estate_output.data_dir, tmp_path / "data")
    runner = JobRunner(JobPaths.under(data), threads=1)
    try:
        assert runner.run_window().error is None
        rows = json.loads((data / "snapshots" / "acme" / "findings.json").read_text())
        target = next(f for f in rows if f["counted"] and f["estimated_monthly_savings"]
                      and Decimal(f["estimated_monthly_savings"]) > 0
                      and not f.get("correlated_in"))
        savings = Decimal(target["estimated_monthly_savings"])
        expires = (datetime.now(UTC) + timedelta(days=30)).date().isoformat()
        with serve({"DATA_DIR": data, "TOKENS_FILE": named_tokens, "WATCH_INTERVAL": 0.1}) as (
                url, _app):
            driver.get(f"{url}/?token={TOKENS['acme']}")
            before = _headline(driver, url)

            page = f"{url}/findings/{target['finding_id']}"
            driver.get(page)
            wait_for(driver, lambda: body(driver, "dismissal") == "none", "dismissal state")
            api = f"/api/findings/{target['finding_id']}/suppression"
            assert _fetch_status(driver, api, {}) == 403  # the session cookie alone: no CSRF
            assert _fetch_status(driver, api, {"X-CSRF-Token": "forged"}) == 403

            # an empty reason is refused in the page, nothing is sent
            driver.find_element(By.ID, "dismiss-submit").click()
            assert body(driver, "dismissal") == "none"
            driver.find_element(By.ID, "dismiss-reason").send_keys("accepted: DR standby")
            driver.execute_script("document.getElementById('dismiss-expires').value = arguments[0]",
                                  expires)
            driver.find_element(By.ID, "dismiss-submit").click()
            wait_for(driver, lambda: body(driver, "dismissal") == "pending-suppress",
                     "written, pending the next window")
            assert "pending" in text(driver, "#dismiss-state")
            audit = text(driver, "#audit")
            assert "suppress" in audit and "ana (session)" in audit
            assert "accepted: DR standby" in audit

            report = runner.run_window()  # the next window of the real jobs
            assert report.error is None and "acme" in report.tenants_written, report
            wait_for(driver, lambda: body(driver, "dismissal") == "suppressed", "applied")
            shown = text(driver, "#suppression")
            assert "Suppressed\nyes" in shown and "accepted: DR standby" in shown
            assert "By\nana" in shown and "Expires\n" in shown and "Expires\n—" not in shown
            assert "no: suppressed" in text(driver, "#savings")
            assert _headline(driver, url) == before - savings

            driver.get(f"{url}/findings?state=suppressed")
            wait_for(driver, lambda: body(driver, "refreshed"), "findings data")
            listed = driver.execute_script(
                "return Array.from(document.querySelectorAll('#findings-table tbody tr'),"
                " (tr) => tr.dataset.findingId)")
            assert target["finding_id"] in listed

            driver.get(page)
            wait_for(driver, lambda: body(driver, "dismissal") == "suppressed", "state")
            driver.find_element(By.ID, "lift-reason").send_keys("DR site retired")
            driver.find_element(By.ID, "lift-submit").click()
            wait_for(driver, lambda: body(driver, "dismissal") == "pending-lift", "lift pending")
            assert runner.run_window().error is None
            wait_for(driver, lambda: body(driver, "dismissal") == "none", "lifted")
            assert "unsuppress" in text(driver, "#audit")
            assert _headline(driver, url) == before
        entries = [json.loads(line) for line in
                   (data / "suppressions" / "audit" / "acme.jsonl").read_text().splitlines()]
        assert [(e["action"], e["who"]) for e in entries] == [("suppress", "ana"),
                                                              ("unsuppress", "ana")]
    finally:
        runner.close()
