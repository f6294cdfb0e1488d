"""Drive test driver: recorded fixtures, a respx router, a throwaway service-account key, no real sleeps."""

from collections.abc import Iterator
from functools import cache

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapters.gdrive.adapter import DriveAdapter
from tests.adapters.recorded import NOW, RecordedHarness, new_router, recorded

TOKEN_URL = "https://oauth2.googleapis.com/token"
__all__ = ["NOW", "SA_EMAIL", "TOKEN_URL", "Harness", "load", "private_key", "reply"]
load, reply = recorded("gdrive")
SA_EMAIL = "castiel-sync@project-1.iam.gserviceaccount.com"


@cache
def private_key() -> rsa.RSAPrivateKey:
    """A test-only RSA key (generated, never a real credential)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem() -> str:
    return (
        private_key()
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )


class Harness(RecordedHarness):
    provider, token_url, host, prefix = "gdrive", TOKEN_URL, "www.googleapis.com", "/drive/v3"

    def adapter(self, key: str | None = None, **overrides: object) -> DriveAdapter:
        """A DriveAdapter built the way the engine builds it: connection + stored service-account credential."""
        credential = {"type": "jwt_bearer", "issuer": SA_EMAIL, "subject": "admin@example.com",
                      "privateKey": key or private_pem(), "keyId": "kid-1", "tokenUrl": TOKEN_URL}
        adapter = self.build(dict(overrides), credential)
        assert isinstance(adapter, DriveAdapter)
        return adapter


@pytest.fixture
def harness() -> Iterator[Harness]:
    yield Harness(new_router())
