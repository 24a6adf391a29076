"""Background jobs: RQ job functions (thin: app context in, service call, commit), the
enqueue helper and the periodic schedule. Without `REDIS_URL` the same functions run
in-process (see SPEC §3)."""
