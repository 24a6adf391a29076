"""Math and Markdown in statements, hints and solutions: MathML rendered on the server, a
small Markdown, everything sanitised; a preview while the teacher types."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.fixtures.users import headers_for
from tests.problems.conftest import PROBLEM_BODY
from webapp.problems.markup import MATH_TAGS, TEXT_TAGS, render

HX = {"HX-Request": "true"}


def _tags(html: str) -> list[tuple[str, set[str]]]:
    """Every element of `html` with its attribute names (real markup, not escaped text)."""
    found: list[tuple[str, set[str]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, {name for name, _ in attrs}))

    Collector().feed(html)
    return found


def test_inline_and_display_math_become_mathml():
    """Do `$…$` and `$$…$$` become inline and block MathML (no math JavaScript needed)?"""
    html = render(r"Solve $x^2 = 4$, then $$\frac{1}{2}$$")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in html
    assert 'display="block"' in html and "<mfrac>" in html and "<msup>" in html
    assert "$" not in html


def test_markdown_subset():
    """Are emphasis, lists and code rendered, while headings, links and images stay text?"""
    html = render(
        "*one* **two** `a $b$ c`\n\n- x\n- y\n\n1. p\n\n# head [l](http://e.x) ![i](i.png)"
    )
    assert "<em>one</em>" in html and "<strong>two</strong>" in html
    assert "<code>a $b$ c</code>" in html  # a dollar in code is not math
    assert "<ul>" in html and "<ol>" in html and "<li>x</li>" in html
    assert "<h1>" not in html and "<a " not in html and "<img" not in html


def test_an_escaped_dollar_is_a_dollar():
    """Is `\\$5` a literal dollar, not the start of a formula?"""
    html = render(r"It costs \$5 and \$7")
    assert "$5 and $7" in html and "<math" not in html


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        r"$\text{<img src=x onerror=alert(1)>}$",
        r"$\text{<script>alert(1)</script>}$",
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        "<math><mi onclick='alert(1)' style='color:red'>x</mi></math>",
    ],
)
def test_nothing_executable_survives(text):
    """Does every script, handler, style or javascript: link, typed raw or smuggled through
    LaTeX's \\text{…}, come out inert?"""
    tags = _tags(str(render(text)))
    assert {name for name, _ in tags} <= TEXT_TAGS | MATH_TAGS
    attributes = {attribute for _, names in tags for attribute in names}
    assert attributes <= {"xmlns", "display"}


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"statement": r"Take $\frac{$ now"}, "statement"), ({"hints": [r"$\sqrt{$"]}, "hints.0")],
)
def test_unreadable_latex_is_422_naming_the_field(client, teacher, fields, field):
    """Is a formula latex2mathml cannot read refused with a 422 that names the field?"""
    answer = client.post(
        "/api/problems", json={**PROBLEM_BODY, **fields}, headers=headers_for(teacher)
    )
    assert answer.status_code == 422
    errors = {error["field"]: error["message"] for error in answer.get_json()["errors"]}
    assert field in errors and "$" in errors[field]


def test_solve_page_renders_math_and_keeps_the_strict_policy(
    client, student, teacher, make_problem
):
    """Does the problem page show the statement as MathML, with no script and a CSP that
    still refuses inline scripts and styles?"""
    problem_id = make_problem(
        teacher, statement=r"Compute $\sqrt{16}$ *quickly* <script>x</script>"
    )
    answer = client.get(f"/problems/{problem_id}", headers=headers_for(student))
    html = answer.get_data(as_text=True)
    assert "<msqrt>" in html and "<em>quickly</em>" in html and "<script>x" not in html
    policy = answer.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "mathjax" not in html.lower() and "katex" not in html.lower()


def test_preview_renders_as_the_teacher_types(client, teacher, student):
    """Does the form's preview fragment render the statement, hints and solution (math and
    Markdown), and is it for authors only?"""
    fields = {"statement": r"Find $x^2$", "hint_1": "**Square** it", "solution": "$$x=2$$"}
    answer = client.post("/problems/preview", data=fields, headers={**headers_for(teacher), **HX})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "<msup>" in html and "<strong>Square</strong>" in html and 'display="block"' in html
    form = client.get("/problems/new", headers=headers_for(teacher)).get_data(as_text=True)
    assert 'hx-target="#preview"' in form and "/problems/preview" in form
    refused = client.post("/problems/preview", data=fields, headers={**headers_for(student), **HX})
    assert refused.status_code == 403
