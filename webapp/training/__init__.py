"""Training log: working weights per exercise and their progress (issue 11, from Vmeste)."""
