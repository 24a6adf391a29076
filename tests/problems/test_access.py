"""Role rules over every problem-book endpoint: who gets what status.

Roles: student, teacher, moderator, admin (none of them authors the problems used), a banned
student, and an anonymous caller. The problems belong to another teacher: one approved,
one pending.
"""

from __future__ import annotations

import pytest

from tests.fixtures.users import headers_for
from tests.problems.conftest import PROBLEM_BODY

ROLES = ["student", "teacher", "moderator", "admin", "banned", "anonymous"]


def by_role(student: int, teacher: int, moderator: int, admin: int) -> dict[str, int]:
    return {"student": student, "teacher": teacher, "moderator": moderator, "admin": admin}


ALL_200 = by_role(200, 200, 200, 200)
APPROVED_ATTEMPT = {"problem_id": "{approved}", "answer": "3,5"}
PENDING_ATTEMPT = {"problem_id": "{pending}", "answer": "3,5"}

# (method, path, body, {role: status}); `{approved}` / `{pending}` are problem ids.
# banned → 403 and anonymous → 401 everywhere, so they are added below.
CASES = [
    ("get", "/api/problems", None, ALL_200),
    ("post", "/api/problems", PROBLEM_BODY, by_role(403, 201, 403, 201)),
    ("get", "/api/problems/mine", None, by_role(403, 200, 403, 200)),
    ("get", "/api/problems/moderation", None, by_role(403, 403, 200, 200)),
    ("get", "/api/problems/{approved}", None, ALL_200),
    ("get", "/api/problems/{pending}", None, by_role(404, 404, 200, 200)),
    ("put", "/api/problems/{approved}", PROBLEM_BODY, by_role(403, 403, 403, 403)),
    ("put", "/api/problems/{pending}", PROBLEM_BODY, by_role(404, 404, 403, 403)),
    ("delete", "/api/problems/{approved}", {"reason": "dup"}, by_role(403, 403, 204, 204)),
    ("delete", "/api/problems/{pending}", {"reason": "dup"}, by_role(403, 403, 204, 204)),
    ("patch", "/api/problems/{pending}/approve", None, by_role(403, 403, 200, 200)),
    ("patch", "/api/problems/{pending}/reject", {"reason": "vague"}, by_role(403, 403, 200, 200)),
    ("get", "/api/problems/{approved}/prediction", None, ALL_200),
    ("get", "/api/problems/{pending}/prediction", None, by_role(404, 404, 200, 200)),
    ("post", "/api/attempts", APPROVED_ATTEMPT, by_role(201, 201, 201, 201)),
    ("post", "/api/attempts", PENDING_ATTEMPT, by_role(404, 404, 409, 409)),
    ("get", "/api/attempts/my", None, ALL_200),
    ("get", "/api/attempts/my/by-status?correct=true", None, ALL_200),
    ("get", "/api/attempts/my/problem/{approved}", None, ALL_200),
    ("get", "/api/attempts/my/problem/{approved}/latest", None, by_role(404, 404, 404, 404)),
    ("get", "/api/attempts/my/range?from=2020-01-01T00:00:00Z", None, ALL_200),
    ("get", "/api/recommendations", None, ALL_200),
]


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if filled.isdigit() and value != filled else filled
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize(
    ("method", "path", "body", "expected"),
    CASES,
    ids=[f"{m.upper()} {p} {(b or {}).get('problem_id', '')}".strip() for m, p, b, _ in CASES],
)
def test_role_rules(client, make_user, make_problem, method, path, body, expected):
    """Does each role (and a banned or anonymous caller) get exactly the status the rules
    promise on this endpoint?"""
    owner = make_user("teacher")
    want = {**expected, "banned": 403, "anonymous": 401}
    got = {}
    for role in ROLES:
        ids = {  # fresh problems for every caller: deleting or deciding changes them
            "approved": make_problem(owner, "approved"),
            "pending": make_problem(owner, "pending"),
        }
        if role == "anonymous":
            headers = {}
        elif role == "banned":
            headers = headers_for(make_user("student", is_banned=True))
        else:
            headers = headers_for(make_user(role))
        kwargs = {"headers": headers}
        if body is not None:
            kwargs["json"] = _fill(body, ids)
        answer = getattr(client, method)(_fill(path, ids), **kwargs)
        got[role] = answer.status_code
        if answer.status_code >= 400:
            assert answer.mimetype == "application/problem+json", role
    assert got == want
