"""Invitation codes: ``K7QP-M2XD-9HTR``.

Groups of four characters from an alphabet without look-alikes (no 0/O, 1/I/L, U), joined by
hyphens. Three groups carry about 59 bits of entropy. Only a SHA-256 digest of the normalised
code is stored: the code itself exists only in the invitation email.
"""

import hashlib
import secrets

from loaportal.core.normalize import code_strip_separators

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
GROUP_LENGTH = 4
GROUPS = 3


def code_generate(*, groups: int = GROUPS) -> str:
    if groups < 3:
        raise ValueError("an invitation code has at least 3 groups")
    chars = "".join(secrets.choice(ALPHABET) for _ in range(groups * GROUP_LENGTH))
    return "-".join(chars[i : i + GROUP_LENGTH] for i in range(0, len(chars), GROUP_LENGTH))


def code_normalize(code: str) -> str:
    """What a person typed, without spaces or hyphens, in upper case."""
    return code_strip_separators(code.upper())


def code_hash(code: str) -> str:
    return hashlib.sha256(code_normalize(code).encode()).hexdigest()
