"""Events: meetings people join, with capacity, participants and bot reminders (SPEC §5)."""
