"""The Redis cache backend keeps one client per connection pool (issue 16) and otherwise
behaves as Django's."""

from __future__ import annotations

from recert.lib.redis_cache import RedisCache


def test_one_client_per_pool_and_the_cache_works():
    from tests.processes import redis_url_or_skip

    cache = RedisCache(redis_url_or_skip(), {"KEY_PREFIX": "recert-test-redis-cache"})
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.set("k", {"a": 1}, 30)
    assert cache.get("k") == {"a": 1}
    assert cache.get_many(["k", "missing"]) == {"k": {"a": 1}}
    cache.delete("k")
    assert cache.get("k") is None
