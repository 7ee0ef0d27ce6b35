"""Take the README screenshot of the judging page from a running demo.

    codejury demo --tasks 20 --port 8765 &
    python tests/browser/screenshot.py http://127.0.0.1:8765 docs/judging.png

Not a test: pytest collects only ``test_*.py``.
"""

from __future__ import annotations

import shutil
import sys

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main(base: str, out: str, email: str = "ann@demo.codejury") -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(base + "/login")
        page.fill("#email", email)
        page.fill("#password", "codejury-demo")
        page.press("#password", "Enter")
        page.wait_for_url("**/projects")
        page.goto(base + "/projects/humaneval-demo/judge")
        page.keyboard.press("2")
        page.keyboard.press("r")
        for digit in "4344":
            page.keyboard.press(digit)
        for _ in range(14):
            page.keyboard.press("j")
        page.keyboard.press("x")  # flag line 15, where the mutant adds instead of subtracting
        page.keyboard.press("Escape")
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=out)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
