"""Values cached under a generation counter (zhengwu.speedups.generations)."""

from django.core.cache import cache

from zhengwu.speedups.generations import Generation


def _gen(name: str) -> Generation:
    gen = Generation(f"test:{name}", 60)
    cache.delete(f"test:{name}:gen")
    return gen


def test_a_bump_builds_the_value_again():
    gen, built = _gen("bump"), []
    build = lambda: built.append(1) or len(built)  # noqa: E731
    assert gen.cached("v", build, 1) == 1
    assert gen.cached("v", build, 1) == 1  # from the cache
    gen.bump()
    assert gen.cached("v", build, 1) == 2


def test_an_evicted_counter_never_names_values_cached_before_a_bump():
    """Evicted after bumps, the counter must not come back as a number it had before: values
    cached under that number (still within their TTL) would be served again."""
    gen, built = _gen("evicted"), []
    build = lambda: built.append(1) or len(built)  # noqa: E731
    seen = set()
    for _ in range(3):
        seen.add(gen.current())
        gen.cached("v", build)
        gen.bump()
    cache.delete("test:evicted:gen")  # evicted
    assert gen.current() not in seen
    assert gen.cached("v", build) == 4  # built again, not an old value
    cache.delete("test:evicted:gen")
    gen.bump()  # a bump of an evicted counter starts it afresh too
    assert gen.current() not in seen


def test_the_counter_is_kept_once_read():
    gen = _gen("kept")
    first = gen.current()
    assert gen.current() == first
    gen.bump()
    assert gen.current() == first + 1


def test_fresh_builds_now_and_keeps_it():
    gen, built = _gen("fresh"), []
    build = lambda: built.append(1) or len(built)  # noqa: E731
    assert gen.cached("v", build) == 1
    assert gen.cached("v", build, fresh=True) == 2
    assert gen.cached("v", build) == 2
