"""The vendored charting library is the recorded one, and nothing loads from a CDN."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "web"


def test_vendored_chartjs_matches_its_readme() -> None:
    readme = (WEB / "static" / "vendor" / "README.md").read_text()
    recorded = re.search(r"sha256 of `chart.umd.js`: `([0-9a-f]{64})`", readme)
    assert recorded, "README.md must record the vendored file's sha256"
    actual = hashlib.sha256((WEB / "static" / "vendor" / "chart.umd.js").read_bytes()).hexdigest()
    assert actual == recorded.group(1)
    assert (WEB / "static" / "vendor" / "chart.js.LICENSE.md").read_text().startswith("The MIT")
    assert "Chart.js v4.6.1" in (WEB / "static" / "vendor" / "chart.umd.js").read_text()[:200]


def test_no_remote_assets_in_templates_or_scripts() -> None:
    for path in list((WEB / "templates").glob("*.html")) + list((WEB / "static").glob("*.js")):
        text = path.read_text()
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text), path.name
        assert "fetch(\"http" not in text, path.name
