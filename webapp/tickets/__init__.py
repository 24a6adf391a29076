"""Tickets: the ticket questionnaire, its drafts, submission and the admin decision."""
