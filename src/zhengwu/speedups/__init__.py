"""Performance plumbing (性能优化): what makes the hot paths fast, in one place.

Compiled-once lookups, prepared statements kept through rollbacks, values cached by generation,
whole public pages cached for anonymous visitors, the fast ``{% url %}`` and ``|date``, the
Jinja2 environment, ninja schemas that validate dicts directly, bulk inserts by ``COPY``, and
the web worker's warm-up registry. Several of these rest on private APIs of Django, psycopg or
django-ninja: ``README.md`` here lists each one and the test that fails if an upgrade breaks it.
Domain code uses the public names only (``ByPk``, ``Generation``, ``cached_for_anonymous``,
``register_warmup`` …), never what they rely on.
"""
