"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django 5.2's `RedisCacheClient.get_client` builds a new `redis.Redis` object for every cache
operation; building one fills its table of ~170 response callbacks, about a tenth of a
millisecond of CPU. Every request makes at least two cache calls (the tenant of the host, the
session), so the floor paid it twice (docs/performance.md). A `redis.Redis` object is
thread-safe (it takes a connection from its pool for each command): one per pool serves every
thread of the process.
"""

from __future__ import annotations

from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class PooledRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        base: Any = self  # Django's private helpers, which django-stubs do not describe
        index = base._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = base._client(connection_pool=base._get_connection_pool(write))
            self._clients[index] = client
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = PooledRedisCacheClient
