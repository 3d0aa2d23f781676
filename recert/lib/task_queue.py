"""The RQ queue class for Recert's task queues (used when TASK_BACKEND is rq).

django-tasks-rq creates its jobs without a result lifetime, so RQ would drop a finished
task's result after 500 seconds: too soon for `recert nightly` to collect every chunk of a
long run. This queue keeps results for RQ["DEFAULT_RESULT_TTL"] seconds instead.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_rq.queues import DjangoRQ


class ResultKeepingQueue(DjangoRQ):
    def create_job(self, *args: Any, result_ttl: int | None = None, **kwargs: Any):
        if result_ttl is None:
            result_ttl = getattr(settings, "RQ", {}).get("DEFAULT_RESULT_TTL")
        return super().create_job(*args, result_ttl=result_ttl, **kwargs)
