"""The code format and the password hasher profile."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from preau.accounts import codes
from preau.accounts.devices import describe_device
from preau.accounts.hashers import PreauArgon2Hasher
from preau.accounts.tests.helpers import CHROME_ANDROID, FIREFOX


def test_generated_codes_use_the_unambiguous_alphabet():
    seen = {codes.generate_code() for _ in range(200)}
    assert len(seen) == 200
    for code in seen:
        assert len(code) == 9
        assert code[4] == "-"
        assert not set(code.replace("-", "")) & set("0O1IL")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ABCD-EFGH", "ABCDEFGH"),
        ("abcd-efgh", "ABCDEFGH"),
        ("abcdefgh", "ABCDEFGH"),
        (" abcd efgh ", "ABCDEFGH"),
        ("ABCD-EFG", None),
        ("ABCD-EFGHJ", None),
        ("ABCD-EFG0", None),
        ("OBCD-EFGH", None),
        ("1BCD-EFGH", None),
        ("LBCD-EFGH", None),
        ("IBCD-EFGH", None),
    ],
)
def test_normalize_code(typed, expected):
    assert codes.normalize_code(typed) == expected


def test_code_hash_is_bound_to_person_and_purpose():
    base = codes.hash_code(purpose="activation", person_id=1, code="ABCDEFGH")
    assert base != codes.hash_code(purpose="reset", person_id=1, code="ABCDEFGH")
    assert base != codes.hash_code(purpose="activation", person_id=2, code="ABCDEFGH")
    assert codes.code_matches(base, purpose="activation", person_id=1, code="ABCDEFGH")
    assert "ABCDEFGH" not in base


def test_production_hasher_is_argon2id_at_least_owasp_minimum():
    assert settings.PASSWORD_HASHERS[1] == "preau.accounts.hashers.PreauArgon2Hasher"
    hasher = PreauArgon2Hasher()
    # OWASP: argon2id with m=19 MiB, t=2, p=1 (or an equivalent m x t trade-off).
    assert hasher.memory_cost >= 19 * 1024
    assert hasher.time_cost >= 2
    assert hasher.parallelism == 1
    encoded = hasher.encode("correct horse 42", hasher.salt())
    assert encoded.startswith("argon2p$argon2id$v=19$m=19456,t=2,p=1$")
    assert hasher.verify("correct horse 42", encoded)
    assert not hasher.verify("wrong horse 42", encoded)


@pytest.mark.parametrize(
    ("agent", "expected"),
    [(FIREFOX, "Firefox on Linux"), (CHROME_ANDROID, "Chrome on Android"), ("", "Unknown device")],
)
def test_describe_device(agent, expected):
    with translation.override("en"):
        assert describe_device(agent) == expected
