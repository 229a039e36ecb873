"""The Redis cache backend keeps one client per connection pool (preau/core/cache.py)."""

from __future__ import annotations

import os

import pytest

from preau.core.cache import RedisCache

pytestmark = pytest.mark.skipif(
    not os.environ.get("REDIS_URL"), reason="needs Redis: set REDIS_URL (CI does)"
)


@pytest.fixture
def redis_cache(settings) -> RedisCache:
    cache = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": "test-cache"})
    yield cache
    cache.clear()


def test_one_client_serves_every_call(redis_cache: RedisCache) -> None:
    first = redis_cache._cache.get_client("a")
    assert redis_cache._cache.get_client("b") is first
    assert redis_cache._cache.get_client("a", write=True) is first  # one server: one pool


def test_values_round_trip(redis_cache: RedisCache) -> None:
    redis_cache.set("tenant", {"slug": "t1"}, 30)
    assert redis_cache.get("tenant") == {"slug": "t1"}
    assert redis_cache.get_many(["tenant", "absent"]) == {"tenant": {"slug": "t1"}}
    redis_cache.delete("tenant")
    assert redis_cache.get("tenant", "gone") == "gone"
