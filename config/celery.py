"""Celery application: Redis broker in production, eager in the demo and the tests."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
app = Celery("preau")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Finished tasks by name and state on /metrics (imported lazily: Django is set up by then).
app.on_after_finalize.connect(lambda sender, **_: _count_tasks(), weak=False)


def _count_tasks() -> None:
    from preau.core.metrics import count_celery_tasks

    count_celery_tasks()
