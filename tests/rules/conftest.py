"""Rule tests need no database: they exercise the pure engine."""
