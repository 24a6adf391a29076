"""The Mini App's first page in headless Chromium: bytes transferred and time to interactive.

The app runs under gunicorn (`gunicorn.conf.py`, 2 workers, PostgreSQL, Redis) with
`TELEGRAM_WEBAPP_JS_URL` pointing at the vendored `/static/vendor/telegram-web-app-8.0.2.js`.
Debian's Chromium (`/usr/bin/chromium`, Playwright never downloads a browser) opens the shell
page as Telegram launches it: `/#tgWebAppData=<signed initData>&…`. Each load is a fresh
browser context (cold cache). Reported, as the median of `LOADS` loads:

* bytes: the sum of `transferSize` over the navigation and every resource (Performance API:
  headers + compressed bodies), and the decoded body sizes;
* DOMContentLoaded and load (navigation timing, from the start of navigation);
* signed in: when the greeting shows the user's name ("Hello, Bench!"), i.e. initData went to
  the server and the signed-in page part came back and was swapped in.
"""

from __future__ import annotations

import os
import statistics
from urllib.parse import quote, urlencode

from bench.common import (
    BOT_TOKEN,
    Result,
    app_environ,
    dispose,
    make_app,
    postgres_database,
    redis_prefix,
)
from bench.web import gunicorn
from webapp.auth import init_data

LOADS = 3
JS_URL = "/static/vendor/telegram-web-app-8.0.2.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]

MEASURE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const resources = performance.getEntriesByType('resource');
  const all = [nav, ...resources];
  return {
    transfer: all.reduce((s, e) => s + (e.transferSize || 0), 0),
    decoded: all.reduce((s, e) => s + (e.decodedBodySize || 0), 0),
    requests: all.length,
    dcl: nav.domContentLoadedEventEnd,
    load: nav.loadEventEnd,
    sizes: all.map(e => [e.name.replace(location.origin, '').split('#')[0] || '/',
                         e.transferSize || 0]),
  };
}"""


def launch_url(base: str, user: dict) -> str:
    raw = init_data.build(BOT_TOKEN, user)
    fragment = urlencode(
        {"tgWebAppData": raw, "tgWebAppVersion": "8.0", "tgWebAppPlatform": "weba"},
        quote_via=quote,
    )
    return f"{base}/#{fragment}"


def run(*, loads: int = LOADS) -> list[Result]:
    from playwright.sync_api import sync_playwright

    samples = []
    with postgres_database() as url:
        dispose(make_app(url, {"JOBS_INLINE": True}))
        with redis_prefix() as redis:
            env = app_environ(url, TELEGRAM_WEBAPP_JS_URL=JS_URL, **redis)
            with gunicorn("wsgi:app", env) as base, sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium"),
                    args=CHROMIUM_ARGS,
                )
                try:
                    for i in range(loads + 1):  # the first load warms the server
                        context = browser.new_context(viewport={"width": 420, "height": 760})
                        page = context.new_page()
                        user = {"id": 5000 + i, "first_name": "Bench"}
                        page.goto(launch_url(base, user), wait_until="load")
                        page.wait_for_function(
                            "document.body.innerText.includes('Hello, Bench!')", timeout=15000
                        )
                        signed_in = page.evaluate("performance.now()")
                        page.wait_for_load_state("networkidle")
                        sample = page.evaluate(MEASURE)
                        sample["signed_in"] = signed_in
                        if i:
                            samples.append(sample)
                        context.close()
                finally:
                    browser.close()

    def median(key: str) -> float:
        return statistics.median(s[key] for s in samples)

    sizes = ", ".join(
        f"{name} {round(size / 1024, 1)} KiB"
        for name, size in sorted(samples[-1]["sizes"], key=lambda pair: -pair[1])
    )
    return [
        Result(
            "Mini App first page",
            "bytes transferred",
            round(median("transfer")),
            "B",
            f"{round(median('decoded'))} B decoded; {round(median('requests'))} requests: {sizes}",
        ),
        Result("Mini App first page", "DOMContentLoaded", round(median("dcl")), "ms", ""),
        Result("Mini App first page", "load", round(median("load")), "ms", ""),
        Result(
            "Mini App first page",
            "signed in (greeting shows the name)",
            round(median("signed_in")),
            "ms",
            f"median of {loads} cold loads (a fresh browser context each)",
        ),
    ]
