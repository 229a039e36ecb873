from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings

from preau.portal.catalogue import forget_resolved_urls


@pytest.fixture(autouse=True)
def _fresh_url_cache() -> Any:
    forget_resolved_urls()
    yield
    forget_resolved_urls()


@pytest.fixture
def native_apps(settings: Any) -> None:
    """A stand-in page for a native app not built yet (grades)."""
    settings.ROOT_URLCONF = "preau.portal.tests.stub_urls"
    forget_resolved_urls()


@pytest.fixture
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def english_client_for(client_for: Any) -> Any:
    """`client_for` with the interface in English (the source strings the tests read)."""

    def make(person: Any) -> Any:
        client = client_for(person)
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make
