"""The JSON API (issue 15): /api/v1/ with django-ninja, personal access tokens, problem+json
errors, idempotent POSTs and per-token rate limits. Handlers validate through the pages' own
forms and read the engine through recert.core.evaluation, like the pages."""
