"""Helpers that do not need Django's models (settings parsing, small utilities)."""
