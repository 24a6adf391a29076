"""The job queues page without Redis: in-process jobs, or a Redis that is down."""

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


class TestRedisDown:
    @pytest.fixture
    def app_overrides(self):
        return {"REDIS_URL": "redis://127.0.0.1:9/0", "RATELIMIT_STORAGE_URI": "memory://"}

    def test_page_says_redis_is_unreachable(self, admin_client):
        """With Redis configured but down, is the page a clear 503 rather than a 500?"""
        answer = admin_client.get("/admin/jobs/")
        assert answer.status_code == 503
        assert "Redis is not reachable" in answer.get_data(as_text=True)

    def test_retry_is_refused_with_a_message(self, admin_client):
        """With Redis down, is a retry refused with a message (and nothing logged)?"""
        answer = admin_client.post("/admin/jobs/some-id/retry", follow_redirects=True)
        assert "Redis is not reachable; nothing was changed." in answer.get_data(as_text=True)
