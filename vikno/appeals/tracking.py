"""The applicant's tracking code: a secret issued with every registration, kept only as a hash.

The code is random (12 characters from 25 that cannot be mistaken for one another: about 55
bits), so one SHA-256 of it is enough to keep (no salt or slow hash: nobody can try every code
against a stolen hash faster than against the portal's rate limit). It is shown to the applicant
once, grouped ("ACDE-FGHJ-KMNP"), and never written to a log, a URL, the audit trail or a notice.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: read aloud over the phone or copied from a letter, it survives.
ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LENGTH = 12
GROUPS = (4, 4, 4)
# The hash compared when the number is unknown, so that a wrong number costs the same as a wrong
# code (no timing hint which of the two was wrong).
_NOBODY = hashlib.sha256(b"vikno:no-such-appeal").hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str:
    """What the applicant typed, as issued: upper case, without spaces and dashes."""
    return "".join(ch for ch in (raw or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise(code).encode("ascii", "replace")).hexdigest()


def grouped(code: str) -> str:
    """"ACDE-FGHJ-KMNP": easier to read and to type back."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(code[start:start + size])
        start += size
    return "-".join(p for p in parts if p)


def matches(stored_hash: str | None, code: str) -> bool:
    """Constant-time: whether `code` is the one `stored_hash` keeps. No stored hash (an appeal
    registered in bulk, or none found) never matches, at the same cost."""
    given = code_hash(code)
    expected = stored_hash or _NOBODY
    same = hmac.compare_digest(given, expected)
    return same and bool(stored_hash)


@dataclass(frozen=True)
class ApplicantActor:
    """The actor of what an applicant does through the portal by tracking code (submit, confirm,
    rate): no account, so no id; the audit trail records it as "applicant" (never a name)."""

    username: str = "applicant"
    role: str = "applicant"
    pk: None = None
    is_authenticated: bool = False

    def __bool__(self) -> bool:  # an actor, not "the system" (audit.record: None is the system)
        return True


APPLICANT = ApplicantActor()
