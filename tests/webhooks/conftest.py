"""Fixtures for the webhook tests: RSA key pairs generated once per session (key generation is slow)."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


class KeyPair:
    def __init__(self) -> None:
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_pem = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode()


@pytest.fixture(scope="session")
def signer() -> KeyPair:
    return KeyPair()


@pytest.fixture(scope="session")
def other_signer() -> KeyPair:
    return KeyPair()
