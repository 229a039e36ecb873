"""One-time codes as printed on a letter or sent by e-mail: `ABCD-EFGH`.

The alphabet leaves out the characters people confuse on paper (0 O 1 I L): 31 symbols, so a
code of 8 carries about 39.6 bits; with the lock-out (5 wrong codes per 15 minutes per account)
guessing one online is out of reach. Only an HMAC-SHA256 of the code (keyed with SECRET_KEY and
bound to the person and the purpose) is stored.
"""

from __future__ import annotations

import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
GROUP = 4
_KEY_SALT = "preau.accounts.codes"


def generate_code() -> str:
    """A fresh code, formatted for printing: `ABCD-EFGH`."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return format_code(raw)


def format_code(raw: str) -> str:
    return "-".join(raw[i : i + GROUP] for i in range(0, len(raw), GROUP))


def normalize_code(typed: str) -> str | None:
    """The code as stored for hashing (upper case, no dash or space), or None if malformed."""
    raw = "".join(typed.split()).replace("-", "").upper()
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return raw


def hash_code(*, purpose: str, person_id: int, code: str) -> str:
    """HMAC-SHA256 of a normalised code, bound to its purpose and person."""
    return salted_hmac(_KEY_SALT, f"{purpose}:{person_id}:{code}", algorithm="sha256").hexdigest()


def code_matches(stored_hash: str, *, purpose: str, person_id: int, code: str) -> bool:
    return constant_time_compare(
        stored_hash, hash_code(purpose=purpose, person_id=person_id, code=code)
    )
