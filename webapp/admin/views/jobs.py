"""The job queues: counts per queue, failed jobs with their errors, retry and delete.

Read and changed through RQ's own API (`webapp.admin.queues`) on the app's Redis. Without
`REDIS_URL` there are no queues: background work runs in-process, and the page says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import flash, redirect, url_for
from flask_admin import Admin, expose
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from redis import Redis
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job

from webapp.admin import queues
from webapp.admin.access import SecureBaseView, require_dashboard_user
from webapp.admin.audit import record
from webapp.admin.changes import domain_message
from webapp.admin.forms import ConfirmForm
from webapp.errors import DomainError, NotFound
from webapp.extensions import db
from webapp.redis_store import get_redis

log = logging.getLogger(__name__)


def _job_state(job: Job) -> dict[str, Any]:
    return {"queue": job.origin, "func": job.func_name, "status": job.get_status().value}


class JobsView(SecureBaseView):
    @expose("/")
    def index(self) -> Any:
        redis = get_redis()
        if redis is None:
            return self.render("admin/hub/jobs.html", in_process=True)
        try:
            found = {"queues": queues.summaries(redis), "failed": queues.failed_jobs(redis)}
        except RedisError:
            log.warning("jobs page: Redis is not reachable", exc_info=True)
            return self.render("admin/hub/jobs.html", in_process=False, unreachable=True), 503
        return self.render("admin/hub/jobs.html", in_process=False, **found)

    def _repair(
        self, action: str, job_id: str, repair: Callable[[Redis, str], Job | None], done: str
    ) -> Any:
        """Repair in Redis, then log it and commit; a refused repair logs nothing."""
        actor = require_dashboard_user()
        redis = get_redis()
        if not ConfirmForm().validate_on_submit():
            return redirect(url_for(".index"))
        try:
            if redis is None:
                raise NotFound(_l("No such job."))
            try:
                before: dict[str, Any] | None = _job_state(Job.fetch(job_id, connection=redis))
            except NoSuchJobError:
                before = None
            after_job = repair(redis, job_id)
            after = _job_state(after_job) if after_job is not None else None
            record(actor, action, ("rq_job", job_id), before, after)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            flash(domain_message(exc), "error")
        except RedisError:
            db.session.rollback()
            flash(_("Redis is not reachable; nothing was changed."), "error")
        else:
            flash(done, "success")
        return redirect(url_for(".index"))

    @expose("/<job_id>/retry", methods=["POST"])
    def retry(self, job_id: str) -> Any:
        return self._repair("job.retry", job_id, queues.retry, _("Job queued again."))

    @expose("/<job_id>/delete", methods=["POST"])
    def delete(self, job_id: str) -> Any:
        return self._repair("job.delete", job_id, queues.delete, _("Job deleted."))


def register(admin: Admin) -> None:
    admin.add_view(JobsView(name=_l("Jobs"), endpoint="jobs"))
