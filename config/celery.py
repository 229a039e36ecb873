"""Celery application: Redis broker in production, eager in the demo and the tests."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
app = Celery("preau")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
