"""Demo problems through the problem services: Борис (teacher) writes them, Mira
(moderator) approves all but one, which waits in the moderation queue; Anna and Oleg make
attempts, so ratings, predictions and recommendations have something to learn from.

Idempotent: a problem is written only when its author has none with that title; a person
attempts a problem only when they have no attempt on it yet.
"""

from __future__ import annotations

from sqlalchemy import select

from webapp.extensions import db
from webapp.problems import services
from webapp.problems.models import AnswerKind, Attempt, Problem, ProblemStatus
from webapp.users.models import User

# (title, statement, answer, topic, difficulty 1-5)
PROBLEMS = (
    ("Sum of the first hundred", "What is 1 + 2 + … + 100?", "5050", "Arithmetic", 1),
    ("Half of a half", "What is half of one half? Answer as a fraction.", "1/4", "Arithmetic", 1),
    ("Percent of a percent", "What is 20% of 30% of 500?", "30", "Arithmetic", 2),
    ("Linear equation", "Solve 3x + 7 = 22.", "5", "Algebra", 2),
    ("Sum of roots", "What is the sum of the roots of x² - 7x + 10 = 0?", "7", "Algebra", 3),
    ("Geometric series", "What is 1 + 1/2 + 1/4 + … (forever)?", "2", "Algebra", 4),
    (
        "Triangle angles",
        "Two angles of a triangle are 50° and 60°. The third?",
        "70",
        "Geometry",
        1,
    ),
    ("Diagonal of a square", "A square has side 5. Its diagonal squared?", "50", "Geometry", 3),
    (
        "Handshakes",
        "Ten people each shake hands once with everyone. How many?",
        "45",
        "Combinatorics",
        3,
    ),
    (
        "Anagrams",
        "How many different words can be made from the letters of LEVEL?",
        "30",
        "Combinatorics",
        4,
    ),
)
PENDING = (
    "Coins in a row",
    "How many ways to pay 10 with coins of 1, 2 and 5?",
    "10",
    "Combinatorics",
    4,
)

# Hints and worked solutions (Markdown and LaTeX) for some of them.
HELP = {
    "Sum of the first hundred": (
        ["Pair the first number with the last: $1 + 100$.", "How many such pairs are there?"],
        "Pair $k$ with $101 - k$: fifty pairs, each summing to $101$, so\n\n"
        "$$1 + 2 + \\dots + 100 = 50 \\cdot 101 = 5050.$$",
    ),
    "Sum of roots": (
        ["Vieta: for $x^2 + px + q = 0$ the roots sum to $-p$."],
        "By *Vieta's formulas* the sum is $-(-7) = 7$ (the roots are $2$ and $5$).",
    ),
}
# Other kinds of answer: (title, statement, topic, difficulty, design fields).
MORE = (
    (
        "Square root of two",
        "Give $\\sqrt{2}$ to three decimals.",
        "Algebra",
        2,
        {"answer_kind": AnswerKind.NUMBER, "answer": "1.414", "tolerance": 0.001},
    ),
    (
        "Which are prime?",
        "Choose **every** prime number.",
        "Arithmetic",
        1,
        {
            "answer_kind": AnswerKind.CHOICE,
            "answer": None,
            "options": ["2", "9", "11", "15"],
            "correct_options": [0, 2],
        },
    ),
)

# Who tries what: (username, title, answers in order — the last one may be right).
ATTEMPTS = (
    ("anna_demo", "Sum of the first hundred", ("5050",)),
    ("anna_demo", "Half of a half", ("0.5", "1/4")),
    ("anna_demo", "Linear equation", ("5",)),
    ("anna_demo", "Sum of roots", ("10", "7")),
    ("anna_demo", "Triangle angles", ("70",)),
    ("anna_demo", "Geometric series", ("infinity",)),
    ("oleg_demo", "Sum of the first hundred", ("5000", "5050")),
    ("oleg_demo", "Percent of a percent", ("30",)),
    ("oleg_demo", "Triangle angles", ("80", "70")),
    ("oleg_demo", "Handshakes", ("90",)),
    ("oleg_demo", "Anagrams", ("120",)),
    ("mira_demo", "Diagonal of a square", ("50",)),
)


def seed(people: dict[str, User]) -> None:
    author, moderator = people["boris_demo"], people["mira_demo"]
    existing = {
        problem.title: problem
        for problem in db.session.scalars(
            select(Problem).where(Problem.author_id == author.id, Problem.deleted_at.is_(None))
        )
    }
    for title, statement, answer, topic, difficulty in PROBLEMS:
        if title not in existing:
            hints, solution = HELP.get(title, ((), None))
            problem = services.create_problem(
                author,
                services.ProblemData(
                    title, statement, answer, topic, difficulty, solution=solution, hints=hints
                ),
            )
            services.approve_problem(moderator, problem.id)
            existing[title] = problem
    for title, statement, topic, difficulty, design in MORE:
        if title not in existing:
            data = services.ProblemData(
                title, statement, topic=topic, difficulty=difficulty, **design
            )
            problem = services.create_problem(author, data)
            services.approve_problem(moderator, problem.id)
            existing[title] = problem
    if PENDING[0] not in existing:
        services.create_problem(author, services.ProblemData(*PENDING))
    for username, title, answers in ATTEMPTS:
        user, problem = people[username], existing[title]
        if problem.status != ProblemStatus.APPROVED:
            continue
        tried = db.session.scalar(
            select(Attempt.id).where(Attempt.user_id == user.id, Attempt.problem_id == problem.id)
        )
        if tried is None:
            for given in answers:
                services.submit_attempt(user, problem.id, given)
