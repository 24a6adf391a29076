"""Dashboard forms: how a refused form is reported (`webapp.admin.forms.flash_form_errors`)."""

from __future__ import annotations

from flask import get_flashed_messages

from webapp.admin.forms import ReasonForm, flash_form_errors


def test_refused_form_flashes_label_and_message(app):
    """Does each error of an invalid form become one "Label: message" error flash?"""
    with app.test_request_context(method="POST", data={"reason": ""}):
        form = ReasonForm()
        assert not form.validate()
        flash_form_errors(form)
        flashed = get_flashed_messages(with_categories=True)
    assert ("error", "Reason: This field is required.") in flashed
    assert {category for category, _ in flashed} == {"error"}
    assert len(flashed) == sum(len(errors) for errors in form.errors.values())
