"""The Mini App's weight and speed in headless Chromium, launched as Telegram launches it.

The app runs under gunicorn (`gunicorn.conf.py`, 2 workers, PostgreSQL, Redis). Debian's
Chromium (`/usr/bin/chromium`; Playwright never downloads a browser) opens the shell as
Telegram does: `/#tgWebAppData=<signed initData>&tgWebAppThemeParams=…` on a 390 px screen.
`telegram-web-app.js` is the vendored copy under its hashed name (Telegram's clients keep the
real one cached); it is left out of the byte counts, as issue 16's budgets say.

For each of `LOADS` fresh browser contexts (cold HTTP cache):

* first screen — bytes transferred (Performance API `transferSize`: headers and compressed
  bodies) over the navigation and every request, sign-in included;
* signed in and painted — from the start of navigation until the greeting names the user:
  the page's own clock at the first animation frame that shows it;
* second launch — the same user opens the app again in the same browser (cache and cookie
  kept), in a new page;
* moving to a module — a tap on "Tasks" from the shell, the bytes of that request.

The medians are reported against the budgets (25 KB, 300 ms, 5 KB, 8 KB; KB = 1000 B).
"""

from __future__ import annotations

import json
import os
import statistics
from typing import Any
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
from webapp.static_files import SOURCE, hashed_name

LOADS = 9
TELEGRAM_JS = "vendor/telegram-web-app-8.0.2.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
THEME = {"bg_color": "#ffffff", "secondary_bg_color": "#f0f0f0", "text_color": "#000000"}
BUDGETS = {"first": 25_000, "painted": 300, "second": 5_000, "module": 8_000}

# Bytes of every request so far, Telegram's script left out.
TRANSFERRED = """() => {
  const entries = [...performance.getEntriesByType('navigation'),
                   ...performance.getEntriesByType('resource')]
    .filter(e => !e.name.includes('telegram-web-app'));
  return {
    bytes: entries.reduce((s, e) => s + (e.transferSize || 0), 0),
    requests: entries.map(e => [e.name.replace(location.origin, '').split('#')[0] || '/',
                                e.transferSize || 0]),
  };
}"""
# Where the time to "signed in" goes: the page, the scripts run, the sign-in answered.
TIMELINE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const session = performance.getEntriesByType('resource')
    .find(e => e.name.endsWith('/auth/session'));
  return {html: Math.round(nav.responseEnd), dcl: Math.round(nav.domContentLoadedEventEnd),
          session_sent: session ? Math.round(session.startTime) : null,
          session_answered: session ? Math.round(session.responseEnd) : null};
}"""
MODULE_TRANSFERRED = TRANSFERRED.replace("...performance.getEntriesByType('navigation'),", "")
# The page's own clock at the first animation frame that shows the signed-in greeting (read
# in the page: the driver hears of it a few tens of milliseconds later).
SIGNED_IN = "() => document.querySelector('.greeting[data-user-id]') !== null && performance.now()"


def launch_url(base: str, user: dict[str, Any]) -> str:
    fragment = urlencode(
        {
            "tgWebAppData": init_data.build(BOT_TOKEN, user),
            "tgWebAppVersion": "8.0",
            "tgWebAppPlatform": "weba",
            "tgWebAppThemeParams": json.dumps(THEME),
        },
        quote_via=quote,
    )
    return f"{base}/#{fragment}"


def open_app(context: Any, base: str, user: dict[str, Any]) -> tuple[Any, float]:
    """Launch in a new page of `context`; the page and when it was signed in and painted."""
    page = context.new_page()
    page.goto(launch_url(base, user), wait_until="commit")
    painted = page.wait_for_function(SIGNED_IN, polling="raf", timeout=15_000).json_value()
    page.wait_for_load_state("networkidle")
    return page, painted


def one_run(browser: Any, base: str, n: int) -> dict[str, Any]:
    context = browser.new_context(viewport=PHONE)
    try:
        user = {"id": 5000 + n, "first_name": "Bench"}
        page, painted = open_app(context, base, user)
        first = page.evaluate(TRANSFERRED)
        first["timeline"] = page.evaluate(TIMELINE)
        page.close()
        page, _ = open_app(context, base, user)
        second = page.evaluate(TRANSFERRED)
        page.evaluate("performance.clearResourceTimings()")
        page.click('a[href="/tasks"]')
        page.wait_for_function("() => location.pathname === '/tasks'")
        page.wait_for_load_state("networkidle")
        module = page.evaluate(MODULE_TRANSFERRED)
        return {"first": first, "painted": painted, "second": second, "module": module}
    finally:
        context.close()


def run(*, loads: int = LOADS) -> list[Result]:
    from playwright.sync_api import sync_playwright

    telegram_js = "/static/" + hashed_name(TELEGRAM_JS, (SOURCE / TELEGRAM_JS).read_bytes())
    runs = []
    with postgres_database() as url:
        dispose(make_app(url, {"JOBS_INLINE": True}))
        with redis_prefix() as redis:
            env = app_environ(url, TELEGRAM_WEBAPP_JS_URL=telegram_js, **redis)
            with gunicorn("wsgi:app", env) as base, sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=os.environ.get("HUB_CHROMIUM", "/usr/bin/chromium"),
                    args=CHROMIUM_ARGS,
                )
                try:
                    for n in range(loads + 1):  # the first run warms the server
                        sample = one_run(browser, base, n)
                        if n:
                            runs.append(sample)
                finally:
                    browser.close()

    def median(key: str) -> float:
        values = [r[key] if key == "painted" else r[key]["bytes"] for r in runs]
        return statistics.median(values)

    def detail(key: str) -> str:
        requests = runs[-1][key]["requests"]
        return ", ".join(f"{name} {size} B" for name, size in sorted(requests, key=lambda r: -r[1]))

    def verdict(key: str, value: float) -> str:
        return "within budget" if value <= BUDGETS[key] else "OVER BUDGET"

    rows = []
    for key, metric, unit in (
        ("first", "first screen, bytes (without telegram-web-app.js)", "B"),
        ("painted", "signed in and painted", "ms"),
        ("second", "second launch, bytes", "B"),
        ("module", "moving to a module (Tasks), bytes", "B"),
    ):
        value = round(median(key))
        note = f"budget {BUDGETS[key]} {unit}: {verdict(key, value)}; median of {loads}"
        if key == "painted":
            timeline = ", ".join(f"{k} {v} ms" for k, v in runs[-1]["first"]["timeline"].items())
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            note += f"; last run: {timeline}; load average {load} on {os.cpu_count()} CPUs"
        else:
            note += f"; last run: {detail(key)}"
        rows.append(Result("Mini App", metric, value, unit, note))
    return rows
