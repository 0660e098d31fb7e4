"""Walk the demo as its users would and save screenshots (development aid, not part of CI).

Needs Debian's chromium and fonts-wqy-zenhei, and Playwright for Python
(`pip install -e '.[browser]'`); it never downloads a browser. Start the demo first
(`carecircle demo`), then: `python scripts/screenshots.py --out var/shots`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from playwright.sync_api import sync_playwright

PAGES = [
    ("home", "/"),
    ("elders", "/persons/elders/"),
    ("children", "/persons/children/"),
    ("providers", "/institutions/providers/"),
    ("staff", "/institutions/staff/"),
    ("areas", "/areas/"),
    ("estates", "/areas/estates/"),
    ("scorecard", "/indicators/"),
    ("indicator", "/indicators/E14/"),
    ("gap", "/indicators/E16/gap/"),
    ("reporting", "/indicators/reporting/"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="city")
    parser.add_argument(
        "--password", default=os.environ.get("CARECIRCLE_DEMO_PASSWORD", "Haian-Demo-2025!")
    )
    parser.add_argument("--out", default="var/shots")
    parser.add_argument("--path", action="append", default=[], help="extra path(s) to capture")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="zh-CN")
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{args.base}/accounts/login/")
        page.fill("input[name=username]", args.user)
        page.fill("input[name=password]", args.password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        pages = PAGES + [(f"extra{i}", path) for i, path in enumerate(args.path)]
        for name, path in pages:
            response = page.goto(f"{args.base}{path}")
            page.wait_for_load_state("networkidle")
            target = out / f"{args.user}-{name}.png"
            page.screenshot(path=str(target), full_page=True)
            print(f"{response.status if response else '?'} {path} -> {target}")
        for error in errors:
            print("console error:", error)
        browser.close()


if __name__ == "__main__":
    main()
