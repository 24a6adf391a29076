"""The Mini App's start screen."""
