"""The job queues page: counts, failed jobs with their errors, retry and delete (real Redis)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry
from sqlalchemy import select

from webapp.admin.models import AuditEntry
from webapp.extensions import db

pytestmark = pytest.mark.redis


@pytest.fixture
def app_overrides(redis_server: str, redis_prefix: str) -> dict[str, str]:
    return {"REDIS_URL": redis_server, "REDIS_KEY_PREFIX": redis_prefix}


@pytest.fixture
def redis(redis_server: str, redis_prefix: str) -> Iterator[Redis]:
    connection = Redis.from_url(redis_server)
    yield connection
    for name in connection.smembers(Queue.redis_queues_keys):
        if redis_prefix in name.decode():
            connection.srem(Queue.redis_queues_keys, name)


@pytest.fixture
def queue(redis: Redis, redis_prefix: str) -> Queue:
    return Queue(f"{redis_prefix}:default", connection=redis)


def run_worker(queue: Queue, prefix: str) -> None:
    SimpleWorker([queue], connection=queue.connection, name=f"{prefix}-worker").work(burst=True)


@pytest.fixture
def failed_job(queue: Queue, redis_prefix: str) -> Job:
    """A job that ran on a real worker and failed with a known error."""
    job = queue.enqueue(
        "tests.admin.jobs_for_tests.explode", "boom-4711", job_id=f"{redis_prefix}-failing"
    )
    run_worker(queue, redis_prefix)
    assert job.get_status(refresh=True) == JobStatus.FAILED
    return job


def audit(app, action: str) -> list[AuditEntry]:
    with app.app_context():
        found = list(
            db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).unique()
        )
        for entry in found:
            db.session.expunge(entry)
        return found


def test_page_shows_counts_and_failed_jobs_with_errors(
    admin_client, failed_job, queue, redis_prefix
):
    """Does the page show the queue's counts and the failed job with its exception?"""
    queue.enqueue("tests.admin.jobs_for_tests.succeed", job_id=f"{redis_prefix}-waiting")
    page = admin_client.get("/admin/jobs/").get_data(as_text=True)
    assert queue.name in page
    assert failed_job.id in page
    assert "RuntimeError: boom-4711" in page
    assert "Traceback" in page  # the whole error, folded under the summary
    row = page.split(f'data-queue="{queue.name}"')[1].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    assert cells[1:] == ["1", "0", "0", "0", "0", "1"]  # queued … failed


def test_retry_puts_the_job_back_and_is_audited(app, admin_client, failed_job, queue):
    """Does Retry requeue the failed job, and is it in the audit log?"""
    answer = admin_client.post(f"/admin/jobs/{failed_job.id}/retry", follow_redirects=True)
    assert "Job queued again." in answer.get_data(as_text=True)
    assert queue.job_ids == [failed_job.id]
    assert failed_job.id not in FailedJobRegistry(queue=queue)
    [entry] = audit(app, "job.retry")
    assert (entry.target_type, entry.target_id) == ("rq_job", failed_job.id)
    assert entry.before["status"] == "failed" and entry.after["status"] == "queued"


def test_delete_forgets_the_job_and_is_audited(app, admin_client, failed_job, queue):
    """Does Delete remove the failed job for good, in the audit log?"""
    admin_client.post(f"/admin/jobs/{failed_job.id}/delete")
    assert not Job.exists(failed_job.id, connection=queue.connection)
    assert FailedJobRegistry(queue=queue).count == 0
    [entry] = audit(app, "job.delete")
    assert entry.before["status"] == "failed" and entry.after is None
    assert "No failed jobs." in admin_client.get("/admin/jobs/").get_data(as_text=True)


def test_retry_refuses_jobs_that_did_not_fail(app, admin_client, queue, redis_prefix):
    """Is a queued (not failed) job left alone by Retry, with a message and no entry?"""
    job = queue.enqueue("tests.admin.jobs_for_tests.succeed", job_id=f"{redis_prefix}-fine")
    answer = admin_client.post(f"/admin/jobs/{job.id}/retry", follow_redirects=True)
    assert "This job has not failed." in answer.get_data(as_text=True)
    assert audit(app, "job.retry") == []


def test_jobs_of_other_apps_are_out_of_reach(app, admin_client, redis, redis_prefix):
    """Can the dashboard retry a job of a queue that is not this app's? (No: 404 message.)"""
    foreign = Queue(f"other-{redis_prefix}", connection=redis)
    job = foreign.enqueue(
        "tests.admin.jobs_for_tests.explode", "x", job_id=f"{redis_prefix}-foreign"
    )
    run_worker(foreign, redis_prefix)
    page = admin_client.get("/admin/jobs/").get_data(as_text=True)
    assert job.id not in page
    answer = admin_client.post(f"/admin/jobs/{job.id}/retry", follow_redirects=True)
    assert "No such job." in answer.get_data(as_text=True)
    assert job.id in FailedJobRegistry(queue=foreign)


def test_configured_queues_are_listed_before_first_use(app, admin_client, redis, redis_prefix):
    """Is a queue named in RQ_QUEUES shown even before any job went through it?"""
    app.config["RQ_QUEUES"] = [f"{redis_prefix}-reports"]
    page = admin_client.get("/admin/jobs/").get_data(as_text=True)
    assert f'data-queue="{redis_prefix}-reports"' in page


def test_unknown_job(app, admin_client, redis):
    """Is an unknown job id a message, not a 500, and not in the audit log?"""
    answer = admin_client.post("/admin/jobs/no-such-job/delete", follow_redirects=True)
    assert answer.status_code == 200
    assert "No such job." in answer.get_data(as_text=True)
    assert audit(app, "job.delete") == []
