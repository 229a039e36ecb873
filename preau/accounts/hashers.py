"""Password hashing sized for a region's 8:00 login wave (figures in docs/accounts.md)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PreauArgon2Hasher(Argon2PasswordHasher):
    """Argon2id at the OWASP minimum profile: 19 MiB, 2 passes, 1 lane."""

    algorithm = "argon2p"
    time_cost = 2
    memory_cost = 19 * 1024
    parallelism = 1
