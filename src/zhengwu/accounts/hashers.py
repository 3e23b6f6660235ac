"""Password hashing: Argon2id at the OWASP parameters (ADR 0011).

Django's own Argon2 hasher defaults (100 MiB × 2 passes × 8 lanes) and PBKDF2-SHA256 at Django
5.2's 1,000,000 iterations each made a login the most expensive request of the portal by far.
The OWASP Password Storage Cheat Sheet gives Argon2id with 19 MiB, 2 passes and 1 lane as its
minimum configuration, of equal strength to PBKDF2-SHA256 at 600,000 iterations against a
guessing attacker and stronger against GPUs (memory-hard), at a fraction of their CPU.

Hashes made with earlier settings (PBKDF2, other Argon2 parameters) still verify and are
re-hashed with these on the next successful login (Django's ``must_update``).
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    """口令哈希: Argon2id, m = 19 MiB, t = 2, p = 1 (OWASP minimum configuration)."""

    # The algorithm name stays "argon2": hashes are interchangeable with Django's own hasher
    # (the parameters are stored in each hash), and must_update notices a parameter change.
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
