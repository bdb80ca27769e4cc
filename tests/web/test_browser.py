"""Headless Chromium against a real server: overview, filter, detail, live update, screenshot.

The server runs in-process (werkzeug, threaded) on a free loopback port with the file watcher
on, so a snapshot set written by the test is announced to the open page exactly as in
production. Waits are bounded polls on page state (data attributes set by the scripts), never
timing thresholds. The overview screenshot lands in artifacts/overview.png.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = os.environ.get("FINOPS_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FINOPS_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
WAIT = 60.0  # upper bound of a poll on page state; a loaded 2-core box can be slow


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip(f"no {CHROMIUM} / {CHROMEDRIVER}: run scripts/install_browser.sh")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                 "--window-size=1400,1000",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    drv.set_page_load_timeout(60)
    try:
        yield drv
    finally:
        drv.quit()


@contextlib.contextmanager
def serve(config: dict[str, Any], port: int = 0) -> Iterator[tuple[str, Any]]:
    """The app on a loopback port (0: a free one) in a thread; yields (base URL, app)."""
    from werkzeug.serving import make_server

    from web.app import create_app, stop_watchers

    app = create_app({"HEARTBEAT_S": 1.0, **config})
    httpd = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", app
    finally:
        stop_watchers(app)  # ends open SSE streams, as a real shutdown does
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


@pytest.fixture
def server(data_dir: Path, tokens_file: Path) -> Iterator[str]:
    with serve({"DATA_DIR": data_dir, "TOKENS_FILE": tokens_file, "WATCH_INTERVAL": 0.1}) as (
            url, _app):
        yield url


def wait_for(drv: Any, condition: Callable[[], Any], what: str) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(drv, WAIT, poll_frequency=0.1).until(lambda _d: condition(), what)


def text(drv: Any, css: str) -> str:

    got = drv.execute_script(
        "const e = document.querySelector(arguments[0]); return e ? e.innerText : null", css)
    if got is None:
        raise AssertionError(f"no element {css}")
    return str(got).strip()


def texts(drv: Any, css: str) -> list[str]:
    """Texts of all matches, read in one script call (the table may re-render in between
    separate element reads)."""
    return drv.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]), (e) => e.textContent)", css)


def body(drv: Any, attr: str) -> str:
    return drv.execute_script(f"return document.body.dataset.{attr} || ''")


def test_dashboard_end_to_end(driver: Any, server: str, seed: Callable[..., Any],
                              tokens: dict[str, str], data_dir: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    seed("acme", n=40, version=1, hostile=True)
    seed("globex", n=5, version=1)

    # Overview: token link -> cookie -> overview with numbers, charts and a live connection.
    driver.get(f"{server}/?token={tokens['acme']}")
    assert "token=" not in driver.current_url
    wait_for(driver, lambda: body(driver, "refreshed"), "overview data")
    wait_for(driver, lambda: body(driver, "conn") == "live", "live connection")
    assert text(driver, "#total-savings").startswith("$")
    assert body(driver, "version") == "1"
    assert text(driver, "#last-updated") not in ("", "—")
    assert driver.execute_script("return !!(window.Chart && Chart.getChart('chart-service'))")
    assert driver.execute_script("return Chart.getChart('chart-service').data.labels.length") > 1
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / "overview.png"))

    # Live: a new snapshot set arrives; the same page (no reload) shows it.
    driver.execute_script("window.__sameDocument = true")
    before = text(driver, "#total-savings")
    from web.sample import make_findings, write_set

    grown = make_findings("acme", 60, hostile=True)
    write_set(data_dir, "acme", grown, version=2, as_of="2026-11-21T10:00:00Z")
    wait_for(driver, lambda: body(driver, "version") == "2", "live update to version 2")
    wait_for(driver, lambda: text(driver, "#total-savings") != before, "new total shown")
    assert driver.execute_script("return window.__sameDocument === true")
    assert int(body(driver, "events") or 0) >= 1

    # A broken snapshot: banner, and the last good data stays.
    shown = text(driver, "#total-savings")
    directory = write_set(data_dir, "acme", grown, version=3)
    (directory / "findings.json").write_text("[{")
    banner = driver.find_element(By.ID, "banner")
    wait_for(driver, banner.is_displayed, "error banner")
    assert "findings.json" in banner.text and "last good data" in banner.text
    assert text(driver, "#total-savings") == shown and body(driver, "version") == "2"

    # Findings: filter by service and search; hostile values render as text.
    driver.get(f"{server}/findings")
    wait_for(driver, lambda: body(driver, "refreshed"), "findings data")
    Select(driver.find_element(By.ID, "f-service")).select_by_value("rds")
    wait_for(driver, lambda: "service=rds" in driver.current_url, "filter applied")
    wait_for(driver, lambda: set(texts(driver, "#findings-table tbody td:nth-child(3)"))
             == {"rds"}, "only rds rows")
    rds = [f for f in grown if f["service"] == "rds"]
    assert text(driver, "#count") == f"{len(rds)} finding(s)"
    tags = texts(driver, "#findings-table .tag")
    assert any("<script>" in t or "onerror" in t for t in tags), tags[:5]
    assert driver.execute_script("return window.__pwned === undefined")

    # Search and a tag filter, typed and submitted like a user does.
    from selenium.webdriver.common.keys import Keys

    Select(driver.find_element(By.ID, "f-service")).select_by_value("")
    driver.find_element(By.ID, "q").send_keys("team-1", Keys.ENTER)
    team1 = [f for f in grown if f["tags"]["team"] == "team-1"]
    wait_for(driver, lambda: text(driver, "#count") == f"{len(team1)} finding(s)", "search")
    driver.find_element(By.ID, "q").clear()
    driver.find_element(By.ID, "f-tag").send_keys("env:prod", Keys.ENTER)
    prod = [f for f in grown if f["tags"]["env"] == "prod"]
    wait_for(driver, lambda: text(driver, "#count") == f"{len(prod)} finding(s)", "tag filter")
    assert "tag=env%3Aprod" in driver.current_url

    # Detail: open the first row; resource, hostile tag values and cost show as text.
    first = driver.find_element(By.CSS_SELECTOR, "#findings-table tbody a.finding-link")
    title = first.text
    first.click()
    wait_for(driver, lambda: "/findings/" in driver.current_url, "detail page")
    wait_for(driver, lambda: text(driver, "#title") == title, "detail title")
    target = next(f for f in grown if f["title"] == title)
    assert target["resource_id"] in text(driver, "#resource")
    tag_cells = text(driver, "#tags")
    assert target["tags"]["owner"] in tag_cells
    assert "bundled:aws-pricing-2026-10" in text(driver, "#savings")
    assert driver.execute_script("return window.__pwned === undefined")

    # No page ever loaded globex data, and the page raised no script or CSP errors.
    assert "globex" not in driver.page_source
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"
              and "/api/events" not in e["message"]]
    assert not errors, json.dumps(errors, indent=1)


def test_no_billing_data_and_empty_state(driver: Any, server: str, seed: Callable[..., Any],
                                         tokens: dict[str, str], data_dir: Path) -> None:
    driver.get(f"{server}/?token={tokens['globex']}")
    wait_for(driver, lambda: body(driver, "refreshed"), "overview data")
    assert driver.find_element("id", "empty").is_displayed()
    seed("globex", n=8, version=1, cur=False)
    wait_for(driver, lambda: body(driver, "version") == "1", "first snapshot arrives live")
    wait_for(driver, lambda: not driver.find_element("id", "empty").is_displayed(), "content")
    assert text(driver, "#actual-covered") == "no billing data"
    driver.get(f"{server}/findings")
    wait_for(driver, lambda: body(driver, "refreshed"), "findings data")
    cells = texts(driver, "#findings-table tbody td.actual-cost")
    assert cells and set(cells) == {"no billing data"}


@pytest.fixture(autouse=True)
def _clean_cookies(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "driver" in request.fixturenames:
        try:
            request.getfixturevalue("driver").delete_all_cookies()
        except Exception:  # the browser may be gone after a failure; nothing to clean
            pass



@pytest.mark.kafka
def test_live_update_announced_on_kafka(driver: Any, data_dir: Path, tokens_file: Path,
                                        tokens: dict[str, str], kafka_bootstrap: str,
                                        unique_topic: Callable[[str], str]) -> None:
    """The snapshot writer's Kafka announcement alone (file watcher made too slow to matter)
    brings the new version to the open page."""
    from schemas.topics import ensure_topics
    from sinks.snapshots import KafkaAnnouncer, Watermark, write_snapshot_set
    from web.sample import make_findings, scans_for

    topic = unique_topic("finops.snapshots")
    ensure_topics(kafka_bootstrap, {topic: 1})

    def docs(n: int) -> dict[str, Any]:
        rows = make_findings("acme", n)
        return {"findings.json": rows, "summary.json": {}, "top_savings.json": rows[:5],
                "correlated_findings.json": [], "coverage.json": {"cur_available": True},
                "scans.json": {"scans": scans_for("acme", rows)}, "trend.json": {"points": []}}

    snapshots = data_dir / "snapshots"
    write_snapshot_set(snapshots, "acme", docs(5), as_of="2026-11-20T10:00:00Z",
                       watermark=Watermark((), {}), version=1)
    config = {"DATA_DIR": data_dir, "TOKENS_FILE": tokens_file, "WATCH_INTERVAL": 3600.0,
              "KAFKA_BOOTSTRAP": kafka_bootstrap, "SNAPSHOTS_TOPIC": topic}
    with serve(config) as (url, app):
        kafka = [w for w in app.extensions["finops"]["watchers"] if hasattr(w, "ready")]
        assert kafka and kafka[0].ready.wait(60), "web consumer got no assignment"
        driver.get(f"{url}/findings?token={tokens['acme']}")
        wait_for(driver, lambda: body(driver, "conn") == "live", "live connection")
        wait_for(driver, lambda: text(driver, "#count") == "5 finding(s)", "first set")
        write_snapshot_set(snapshots, "acme", docs(9), as_of="2026-11-21T10:00:00Z",
                           watermark=Watermark((), {}), version=2,
                           announcer=KafkaAnnouncer(kafka_bootstrap, topic))
        wait_for(driver, lambda: text(driver, "#count") == "9 finding(s)", "update via Kafka")
        assert body(driver, "version") == "2"


def test_page_survives_a_server_restart_and_catches_up(driver: Any, data_dir: Path,
                                                       tokens_file: Path, tokens: dict[str, str],
                                                       seed: Callable[..., Any]) -> None:
    """The server goes away, a set is written meanwhile, a new server comes up on the same
    port: the page shows the lost connection, reconnects by itself and shows the new set."""
    seed("acme", n=6, version=1)
    config = {"DATA_DIR": data_dir, "TOKENS_FILE": tokens_file, "WATCH_INTERVAL": 0.1}
    with serve(config) as (url, _app):
        driver.get(f"{url}/findings?token={tokens['acme']}")
        wait_for(driver, lambda: body(driver, "conn") == "live", "live connection")
        wait_for(driver, lambda: text(driver, "#count") == "6 finding(s)", "first set")
        driver.execute_script("window.__sameDocument = true")
        port = int(url.rsplit(":", 1)[1])
    wait_for(driver, lambda: body(driver, "conn") in ("reconnecting", "offline"), "lost state")
    seed("acme", n=11, version=2)  # written while no server runs: no event reaches the page
    with serve(config, port=port):
        wait_for(driver, lambda: body(driver, "conn") == "live", "reconnected")
        wait_for(driver, lambda: text(driver, "#count") == "11 finding(s)", "caught up")
        assert body(driver, "version") == "2"
        assert driver.execute_script("return window.__sameDocument === true")


def _csv_in_page(drv: Any) -> list[dict[str, str]]:
    """The CSV behind the page's Export link, fetched by the page itself (its cookie)."""
    import csv
    import io

    href = drv.execute_script("return document.getElementById('csv').getAttribute('href')")
    got = drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0]).then((r) => r.text()).then(done, (e) => done('ERR ' + e));", href)
    assert not got.startswith("ERR"), got
    return list(csv.DictReader(io.StringIO(got)))


def _counted_sum(rows: list[dict[str, str]]) -> Any:
    from decimal import Decimal

    return sum((Decimal(r["estimated_monthly_savings"]) for r in rows
                if r["counted"] == "True" and r["estimated_monthly_savings"]), Decimal(0))


def test_totals_agree_on_the_jobs_output(driver: Any, estate_output: Any,
                                         tokens_file: Path, tokens: dict[str, str]) -> None:
    """Overview, list and CSV on a set the real jobs wrote: the same total, also after
    filtering; superseded and suppressed rows are listed and say they do not count."""
    from decimal import Decimal

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from checks.docs import remediation_catalog
    from checks.registry import load_checks

    todo = remediation_catalog(load_checks())
    with serve({"DATA_DIR": estate_output.data_dir, "TOKENS_FILE": tokens_file,
                "REMEDIATION": todo}) as (url, _app):
        driver.get(f"{url}/?token={tokens['acme']}")
        wait_for(driver, lambda: body(driver, "refreshed"), "overview data")
        headline = Decimal(driver.execute_script(
            "return document.getElementById('total-savings').dataset.amount"))
        shown = text(driver, "#total-savings")
        by_service = {r[0]: r[2] for r in driver.execute_script(
            "return Array.from(document.querySelectorAll('#by-service tbody tr'),"
            " (tr) => Array.from(tr.cells, (c) => c.textContent))")}
        assert "superseded" in text(driver, "#total-count")
        unpriced = int(driver.execute_script(
            "return document.getElementById('total-savings').dataset.unpriced"))
        assert unpriced > 0
        assert f"leaves out {unpriced} unpriced finding(s)" in text(driver, "#total-unknowns")
        assert "price missing from the catalog" in text(driver, "#total-unknowns")
        assert "eu-west-1" in text(driver, "#unpriced")  # which key had no price, where
        # top savings: the same resource name in two accounts is told apart
        top = driver.execute_script(
            "return Array.from(document.querySelectorAll('#top-savings tr'),"
            " (tr) => Array.from(tr.cells, (c) => c.textContent))")
        assert top[0][:5] == ["Finding", "Resource", "Account", "Region", "Service"]
        assert all(row[2].isdigit() and row[3] for row in top[1:])

        driver.get(f"{url}/findings")
        wait_for(driver, lambda: body(driver, "refreshed"), "findings data")
        totals = driver.find_element(By.ID, "totals")
        assert Decimal(totals.get_attribute("data-savings")) == headline
        assert shown in totals.text
        assert f"leaves out {unpriced} unpriced" in totals.text
        rows = _csv_in_page(driver)
        assert _counted_sum(rows) == headline
        assert sum(r["counted"] == "True" and r["unpriced_reason"] != "" for r in rows) == unpriced
        gap = next(r for r in rows if r["counted"] == "True"
                   and r["unpriced_reason"] == "price missing from the catalog")
        scoped = next(r for r in rows if r["attribution_method"] == "scoped_rollup")
        # a scope roll-up is labelled as the scope's total, never shown as the resource's cost
        cells = driver.execute_script(
            "return Array.from(document.querySelectorAll('#findings-table tbody tr'), (tr) =>"
            " [tr.dataset.findingId, tr.querySelector('td.actual-cost').textContent])")
        by_method = {r["finding_id"]: r["attribution_method"] for r in rows}
        shown_scoped = [c for fid, c in cells if by_method[fid] == "scoped_rollup"]
        assert shown_scoped and all(c.startswith("scope total $") for c in shown_scoped)

        service = sorted(by_service)[0]
        Select(driver.find_element(By.ID, "f-service")).select_by_value(service)
        wait_for(driver, lambda: f"service={service}" in (totals.get_attribute("data-query")
                                                         or ""), "filtered totals")
        assert by_service[service] in totals.text  # the overview's by-service figure
        assert _counted_sum(_csv_in_page(driver)) == Decimal(totals.get_attribute("data-savings"))

        Select(driver.find_element(By.ID, "f-service")).select_by_value("")
        Select(driver.find_element(By.ID, "f-state")).select_by_value("superseded")
        wait_for(driver, lambda: "state=superseded" in (totals.get_attribute("data-query") or ""),
                 "superseded rows")
        states = set(texts(driver, "#findings-table tbody td.count-state"))
        assert states == {"not counted: superseded"}
        assert totals.get_attribute("data-savings") == "0.00"
        rows = _csv_in_page(driver)
        assert rows and {(r["counted"], r["superseded"]) for r in rows} == {("False", "True")}

        # an unpriced finding's page says so, with the key that had no price
        driver.get(f"{url}/findings/{gap['finding_id']}")
        wait_for(driver, lambda: body(driver, "refreshed"), "detail data")
        assert "unpriced: price missing from the catalog" in text(driver, "#savings")
        assert gap["missing_prices"].split()[0] in text(driver, "#savings")
        # what to do, and the CLI, from the check's metadata
        assert text(driver, "#remediation") == todo[gap["check_id"]]["remediation"]
        assert text(driver, "#remediation-cli") == todo[gap["check_id"]]["remediation_cli"]

        driver.get(f"{url}/findings/{scoped['finding_id']}")
        wait_for(driver, lambda: body(driver, "refreshed"), "detail data")
        cost = text(driver, "#cost")
        assert f"scope roll-up of {scoped['cost_scope']}" in cost
        assert "Previous month\nno billing data" in cost and "$0.00" not in cost


def _money(shown: str) -> Any:
    from decimal import Decimal

    return Decimal(shown.replace("≥", "").replace("$", "").replace(",", "").strip())


def test_group_min_savings_and_correlations_paging(driver: Any, estate_output: Any,
                                                   tokens_file: Path,
                                                   tokens: dict[str, str]) -> None:
    """On the jobs' output: the list grouped by service adds up to the filter's total, a
    minimum saving filters the rows and the CSV, a group's name filters to it; the
    correlations page pages and filters by rule, each row naming its primary source."""
    from decimal import Decimal

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    with serve({"DATA_DIR": estate_output.data_dir, "TOKENS_FILE": tokens_file}) as (url, _app):
        driver.get(f"{url}/findings?token={tokens['acme']}")
        wait_for(driver, lambda: body(driver, "refreshed"), "findings data")
        totals = driver.find_element(By.ID, "totals")
        Select(driver.find_element(By.ID, "f-group")).select_by_value("service")
        wait_for(driver, lambda: "group=service" in (totals.get_attribute("data-query") or ""),
                 "grouped list")
        groups = driver.execute_script(
            "return Array.from(document.querySelectorAll('#groups tbody tr'),"
            " (tr) => Array.from(tr.cells, (c) => c.textContent))")
        services = driver.execute_script(
            "return Array.from(document.getElementById('f-service').options, (o) => o.value)"
            ".filter((v) => v)")
        assert sorted(g[0] for g in groups) == sorted(services)
        assert sum(_money(g[3]) for g in groups) == Decimal(totals.get_attribute("data-savings"))

        floor = Decimal("25")
        box = driver.find_element(By.ID, "f-min")
        box.send_keys("25")
        driver.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
        wait_for(driver, lambda: "min_savings=25" in (totals.get_attribute("data-query") or ""),
                 "min savings applied")
        grouped_csv = _csv_in_page(driver)
        assert {r["group_by"] for r in grouped_csv} == {"service"}
        assert sum(Decimal(r["estimated_monthly_savings"]) for r in grouped_csv) == \
            Decimal(totals.get_attribute("data-savings"))
        Select(driver.find_element(By.ID, "f-group")).select_by_value("")
        wait_for(driver, lambda: "group=" not in (totals.get_attribute("data-query") or ""),
                 "ungrouped list")
        assert driver.find_element(By.ID, "groups-section").get_attribute("hidden")
        shown = [_money(c) for c in texts(driver, "#findings-table tbody td.savings")]
        assert shown and min(shown) >= floor
        rows = _csv_in_page(driver)
        assert rows and all(Decimal(r["estimated_monthly_savings"]) >= floor for r in rows)
        assert _counted_sum(rows) == Decimal(totals.get_attribute("data-savings"))

        # a group's name filters the list to it
        Select(driver.find_element(By.ID, "f-group")).select_by_value("region")
        wait_for(driver, lambda: "group=region" in (totals.get_attribute("data-query") or ""),
                 "grouped by region")
        link = driver.find_element(By.CSS_SELECTOR, "#groups a.group-link")
        region = link.text
        link.click()
        wait_for(driver, lambda: f"region={region}" in (totals.get_attribute("data-query") or ""),
                 "filtered to the group")
        assert set(texts(driver, "#findings-table tbody tr td:nth-child(4)")) == {region}

        driver.get(f"{url}/correlations")
        wait_for(driver, lambda: body(driver, "refreshed"), "correlations data")
        wait_for(driver, lambda: body(driver, "conn") == "live", "live connection")
        info = text(driver, "#page-info")
        assert info.startswith("page 1 of ") and int(info.rsplit(" ", 1)[1]) > 1
        hrefs = ("return Array.from(document.querySelectorAll('#correlations tbody tr"
                 " td:first-child a'), (a) => a.getAttribute('href'))")
        first = driver.execute_script(hrefs)
        assert len(first) == 25
        primary = texts(driver, "#correlations tbody tr td:nth-child(5)")
        assert all(p and p != "—" for p in primary)
        count = driver.find_element(By.ID, "count")
        driver.find_element(By.ID, "next").click()
        wait_for(driver, lambda: "page=2" in (count.get_attribute("data-query") or ""), "page 2")
        wait_for(driver, lambda: text(driver, "#page-info").startswith("page 2 of "), "page 2")
        assert not set(driver.execute_script(hrefs)) & set(first)
        rule = driver.execute_script(
            "return Array.from(document.getElementById('f-check').options, (o) => o.value)"
            ".filter((v) => v)[0]")
        Select(driver.find_element(By.ID, "f-check")).select_by_value(rule)
        wait_for(driver, lambda: f"check={rule}" in (count.get_attribute("data-query") or ""),
                 "filtered by rule")
        assert set(texts(driver, "#correlations tbody tr td:nth-child(2)")) == {rule}

        # a finding's prices, price sources and thresholds are tables, not JSON strings
        driver.get(f"{url}/findings/{rows[0]['finding_id']}")
        wait_for(driver, lambda: body(driver, "refreshed"), "detail data")
        nested = driver.execute_script(
            "return Array.from(document.querySelectorAll('#details > dd, #savings > dd'),"
            " (dd) => [dd.previousElementSibling.textContent, !!dd.querySelector('table'),"
            " dd.textContent])")
        by_name = {name: (table, shown) for name, table, shown in nested}
        assert by_name["thresholds"][0] and by_name["prices"][0] and by_name["Price"][0]
        assert not any(shown.lstrip().startswith(("{", "[")) for _t, shown in by_name.values())
