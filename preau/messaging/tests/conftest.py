"""Fixtures shared by the messaging tests."""

from __future__ import annotations

import pytest

from preau.messaging.tests.test_actions import send


@pytest.fixture
def delivered(django_capture_on_commit_callbacks):
    """`delivered(sender, *people, **kw)`: a message sent and delivered."""

    def make(sender, *people, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            return send(sender, *people, **kw)

    return make


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
