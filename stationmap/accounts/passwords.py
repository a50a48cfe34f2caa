"""Passwords: hashed with argon2id (argon2-cffi), checked in constant work, generated readable.

The parameters: argon2id, 64 MiB of memory, 3 passes, 1 lane (RFC 9106's second
recommended setting, with one lane instead of four because a server worker hashes on
one core of a 2-core machine while the other serves). Measured on the 2-core
development machine: hashing or verifying takes about 155 ms quiet (OWASP's minimum,
19 MiB and 2 passes, takes 25 ms); a whole sign-in (``scripts/bench_login.py``) took
p50 198 ms, p90 242 ms with the test suite running beside it: well under the 400 ms a
sign-in may take, while an attacker with a stolen table pays 64 MiB and ~0.15 core-s
per guess.

When these parameters change, a stored hash made with the old ones is replaced at the
user's next successful sign-in (:func:`needs_rehash`), so no reset is needed.
"""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import BadRequest

HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)
"""argon2id (argon2-cffi's default type) with the parameters above."""

MIN_LENGTH = 10
"""The shortest password a person may choose."""
MAX_LENGTH = 1024
"""The longest (argon2 takes any length; this bounds the work a request can ask for)."""

READABLE = "23456789abcdefghjkmnpqrstuvwxyz"
"""Generated passwords' letters: no 0/o, 1/l/i to misread when copying one by hand."""
GROUPS, GROUP_LENGTH = 4, 5
"""A generated password is four groups of five, e.g. ``k7m2p-x9qrt-4hw8c-nb3zd``: about
99 bits of randomness."""


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` to store."""
    return HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (False for a hash that is no argon2
    hash at all, such as an unusable placeholder)."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether ``password_hash`` was made with other parameters than :data:`HASHER`'s."""
    return HASHER.check_needs_rehash(password_hash)


def verify_nothing(password: str) -> None:
    """Do the work of one verification and learn nothing: for an unknown or disabled user,
    so that the answer takes as long as for a known one."""
    verify_password(_dummy_hash(), password)


@cache
def _dummy_hash() -> str:
    """A hash of a random password nobody knows, made with the current parameters."""
    return hash_password(secrets.token_urlsafe(16))


def generate_password() -> str:
    """A new random password, readable and easy to type: four groups of five letters and
    digits joined by hyphens (23 characters)."""
    groups = ("".join(secrets.choice(READABLE) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join(groups)


def check_new_password(password: str) -> str:
    """``password`` if a person may choose it, else :class:`BadRequest` saying why."""
    if not password:
        raise BadRequest(
            "password: got an empty password; type one of at least "
            f"{MIN_LENGTH} characters, or leave --password-stdin out to get one generated",
            code="bad_password",
        )
    if len(password) < MIN_LENGTH:
        raise BadRequest(
            f"password: got {len(password)} characters, expected at least {MIN_LENGTH}; "
            "choose a longer one, or leave --password-stdin out to get one generated",
            code="bad_password",
        )
    if len(password) > MAX_LENGTH:
        raise BadRequest(
            f"password: got {len(password)} characters, expected at most {MAX_LENGTH}",
            code="bad_password",
        )
    return password
