"""Answer checking: forgiving of whitespace, case, Unicode form and number formatting."""

from __future__ import annotations

import pytest

from webapp.problems.answers import as_number, is_correct, normalize


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("  Paris ", "paris"),
        ("New   York", "new york"),
        ("new\tyork\n", "New York"),
        ("STRASSE", "straße"),  # casefold, not lower
        ("\uff21\uff22\uff23", "abc"),  # full-width letters (NFKC)
        ("3,5", "3.5"),
        ("3.50", "3.5"),
        ("7/2", "3.5"),
        ("+3.5", "3.5"),
        ("\u22122", "-2"),  # the minus sign
        ("1 000", "1000"),
        ("1e3", "1000"),
        (".5", "0.5"),
        ("0.1", "1/10"),
        ("-0", "0"),
    ],
)
def test_equivalent_answers_match(given, expected):
    """Is an answer that differs only in form accepted?"""
    assert is_correct(given, expected)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("3.5", "3"),
        ("paris", "pariss"),
        ("1/0", "0"),
        ("", "0"),
        ("1e99999", "1"),
        ("nan", "nan1"),
        ("1,000", "1000"),  # a comma is a decimal comma: 1,000 is 1
        ("3.5.1", "3.5"),
    ],
)
def test_different_answers_do_not_match(given, expected):
    """Is an answer with different content refused?"""
    assert not is_correct(given, expected)


def test_text_answers_that_look_numeric_fall_back_to_text():
    """When the expected answer is text, is a number compared as text?"""
    assert is_correct("x = 2", "X  =  2")
    assert not is_correct("2", "x = 2")


@pytest.mark.parametrize("text", ["nan", "inf", "-infinity", "1/0", "1e5000", "abc", "", "1" * 65])
def test_not_numbers(text):
    """Are NaN, infinities, division by zero, huge exponents and text not numbers?"""
    assert as_number(text) is None


def test_normalize():
    """Does normalisation trim, collapse and casefold?"""
    assert normalize("  A\u00a0 B\n\nC ") == "a b c"
