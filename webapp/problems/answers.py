"""Is a given answer the expected one? Forgiving of form, strict about content.

* Text: Unicode NFKC, surrounding whitespace trimmed, inner runs collapsed to one space,
  case folded (`"  Paris "` == `"paris"`, full-width letters == ASCII).
* Numbers: when both sides read as a number they are compared by value, exactly
  (`fractions.Fraction`, no floats): `"3,5"` == `"3.5"` == `"3.50"` == `"7/2"` == `"+3.5"`,
  `"1e3"` == `"1000"`, `"1 000"` == `"1000"`. A comma is a decimal comma (Russian habit),
  never a thousands separator; spaces between digits are dropped. NaN and infinities are
  not numbers here.
* Kinds (`Problem.answer_kind`): `text` follows both rules above; `number` accepts only a
  number, within the problem's tolerance when it has one (`is_close`); `choice` is right
  when exactly the correct options are picked (`same_choices`).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from fractions import Fraction

_WHITESPACE = re.compile(r"\s+")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$")
_FRACTION = re.compile(r"^([+-]?\d+)/(\d+)$")
MAX_NUMBER_LENGTH = 64  # "1e999999999" must not build a giant integer


def normalize(text: str) -> str:
    """The canonical text form of an answer."""
    text = unicodedata.normalize("NFKC", text)
    return _WHITESPACE.sub(" ", text).strip().casefold()


def as_number(text: str) -> Fraction | None:
    """The exact value of a numeric answer, or None when it is not a number."""
    compact = normalize(text).replace(" ", "").replace(",", ".").replace("\u2212", "-")
    if not compact or len(compact) > MAX_NUMBER_LENGTH:
        return None
    fraction = _FRACTION.match(compact)
    if fraction:
        denominator = int(fraction[2])
        return Fraction(int(fraction[1]), denominator) if denominator else None
    if not _DECIMAL.match(compact):
        return None
    try:
        value = Decimal(compact)
    except InvalidOperation:  # pragma: no cover - the pattern admits only valid decimals
        return None
    if abs(value.adjusted()) > 1000:  # an exponent this large is not an answer
        return None
    return Fraction(value)


def is_correct(given: str, expected: str) -> bool:
    """Does `given` match `expected` under the rules above?"""
    expected_number = as_number(expected)
    if expected_number is not None:
        given_number = as_number(given)
        if given_number is not None:
            return given_number == expected_number
    return normalize(given) == normalize(expected)


def is_close(given: str, expected: str, tolerance: float | None) -> bool:
    """A `number` answer: `given` reads as a number within `tolerance` of `expected`
    (exactly equal without one). Text that is not a number is simply wrong."""
    given_number, expected_number = as_number(given), as_number(expected)
    if given_number is None or expected_number is None:
        return False
    allowed = Fraction(repr(tolerance)) if tolerance else Fraction(0)
    return abs(given_number - expected_number) <= allowed


def same_choices(given: list[int] | set[int], correct: list[int]) -> bool:
    """A `choice` answer: exactly the correct options, no more, no fewer."""
    return set(given) == set(correct)
