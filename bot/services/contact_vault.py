"""The encrypted contact of a resident who proposed offline and agreed to be called back.

Only staff who open the call-back list see it in the clear (each view is audited); the
database keeps a Fernet token (AES-128-CBC with HMAC-SHA256, authenticated), keyed by
`CONTACT_KEY` through HKDF, so a copy of the database alone reveals nothing. Rotation (not
built): decrypt every stored token with a `MultiFernet` of the new and the old key and write
it back (`MultiFernet.rotate`), then drop the old key.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"gonggam offline contact v1"


@dataclass(frozen=True)
class Contact:
    """Who to call: the name and the number as the staff member typed them."""

    name: str
    phone: str


class UnreadableContact(ValueError):
    """The token was made with another key or was altered."""


def _fernet(contact_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(
        contact_key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(contact: Contact, contact_key: str) -> str:
    """The contact as an encrypted token to store."""
    plain = json.dumps({"name": contact.name, "phone": contact.phone}, ensure_ascii=False)
    return _fernet(contact_key).encrypt(plain.encode("utf-8")).decode("ascii")


def unseal(token: str, contact_key: str) -> Contact:
    """The contact back from its token; UnreadableContact with a wrong key."""
    try:
        data = json.loads(_fernet(contact_key).decrypt(token.encode("ascii")))
    except (InvalidToken, ValueError) as error:
        raise UnreadableContact("the stored contact cannot be decrypted") from error
    return Contact(str(data.get("name", "")), str(data.get("phone", "")))
