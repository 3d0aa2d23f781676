"""Web pages for professionals: the dashboard and certification pages."""
