"""The job queues page without Redis: background work runs in-process."""

from __future__ import annotations

import pytest


@pytest.fixture
def app_overrides():
    return {"REDIS_URL": None}


def test_page_says_jobs_run_in_process(admin_client):
    """Without REDIS_URL, does the page say there are no queues because jobs run in-process?"""
    page = admin_client.get("/admin/jobs/").get_data(as_text=True)
    assert "background jobs run in-process" in page


def test_retry_without_redis_is_a_message(admin_client):
    """Without Redis, is a retry a clear message rather than a 500?"""
    answer = admin_client.post("/admin/jobs/some-id/retry", follow_redirects=True)
    assert answer.status_code == 200 and "No such job." in answer.get_data(as_text=True)
