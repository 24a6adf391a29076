"""Analytics: each chart over 7, 30 or 90 days as a server-drawn SVG and a CSV file."""

from __future__ import annotations

from typing import Any

from flask import Response, abort, request, url_for
from flask_admin import Admin, expose
from flask_babel import lazy_gettext as _l

from webapp.admin.access import SecureBaseView, require_dashboard_user
from webapp.admin.analytics import services
from webapp.admin.analytics.charts import SVG_POLICY, render_svg
from webapp.downloads import csv_download
from webapp.errors import NotFound


def _days() -> int:
    return services.check_period(request.args.get("days", 30, type=int) or 30)


class AnalyticsView(SecureBaseView):
    @expose("/")
    def index(self) -> Any:
        """Every chart for the chosen period, with its total and its CSV."""
        actor = require_dashboard_user()
        days = _days()
        charts = [services.chart(actor, key, days) for key in services.CHARTS]
        return self.render(
            "admin/hub/analytics.html",
            charts=charts,
            days=days,
            periods=services.PERIODS,
            svg=lambda key: url_for(".svg", key=key, days=days),
            csv=lambda key: url_for(".csv", key=key, days=days),
        )

    @expose("/<key>.svg")
    def svg(self, key: str) -> Any:
        try:
            found = services.chart(require_dashboard_user(), key, _days())
        except NotFound:
            abort(404)
        response = Response(render_svg(found), mimetype="image/svg+xml")
        response.headers["Content-Security-Policy"] = SVG_POLICY
        return response

    @expose("/<key>.csv")
    def csv(self, key: str) -> Any:
        try:
            found = services.chart(require_dashboard_user(), key, _days())
        except NotFound:
            abort(404)
        return csv_download(services.chart_csv(found), f"{key}-{found.days[-1]}-{_days()}d.csv")


def register(admin: Admin) -> None:
    admin.add_view(AnalyticsView(name=_l("Analytics"), endpoint="analytics"))
