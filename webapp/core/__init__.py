"""The shell page, health, version and metrics — what is not a feature."""
