"""The urgent-jobs market (SPEC §5 market): orders, paid takes, balances, reviews, announcements."""
