"""The certifying body's staff console at /staff/ (issue 12)."""
