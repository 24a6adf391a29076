"""Tasks: a personal to-do list (SPEC §5 tasks)."""
