"""Stable public identifiers for stations, unions and import batches.

A public id is ten characters of Crockford's base32 (lower case, no i, l, o, u):
short enough to read out on the phone, 50 bits of randomness so collisions are
left to the database's unique constraint rather than to luck.
"""

from __future__ import annotations

import secrets

import numpy as np

ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
ID_LENGTH = 10


def new_public_id() -> str:
    """A fresh random public id."""
    return "".join(secrets.choice(ALPHABET) for _ in range(ID_LENGTH))


def new_public_ids(count: int) -> list[str]:
    """``count`` fresh random public ids at once (vectorised: 173,000 in a few ms)."""
    return seeded_public_ids(count, np.random.default_rng(secrets.randbits(128)))


def seeded_public_ids(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` distinct public ids drawn from ``rng`` (deterministic for a seed)."""
    letters = np.frombuffer(ALPHABET.encode(), dtype="S1")
    ids: list[str] = []
    seen: set[str] = set()
    while len(ids) < count:
        draws = rng.integers(0, len(ALPHABET), size=(count - len(ids), ID_LENGTH))
        for row in letters[draws].view(f"S{ID_LENGTH}").ravel():
            text = row.decode()
            if text not in seen:
                seen.add(text)
                ids.append(text)
    return ids


def is_public_id(text: str) -> bool:
    """Whether ``text`` has the shape of a public id."""
    return len(text) == ID_LENGTH and all(ch in ALPHABET for ch in text)
