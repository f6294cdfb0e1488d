"""Runs the local Cosmos-compatible server (npm ``@vercel/cosmosdb-server``) for the store tests.

The server is started over TLS on a free loopback port with a throwaway self-signed certificate
for 127.0.0.1, so the real ``azure-cosmos`` client verifies it (no disabled verification).
"""

from __future__ import annotations

import datetime
import ipaddress
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

TOOL_DIR = Path(__file__).resolve().parents[2] / "tools" / "cosmosdb-server"
START_TIMEOUT_S = 20.0
# Any base64 string is a valid master key for the local server.
LOCAL_KEY = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="


def write_self_signed(directory: Path) -> tuple[Path, Path]:
    """A one-day certificate valid for 127.0.0.1, and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cosmos-cert.pem", directory / "cosmos-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


@dataclass
class CosmosServer:
    endpoint: str
    ca_cert: str
    key: str
    process: subprocess.Popen[str]
    reader: threading.Thread

    def stop(self) -> None:
        # Closing stdin asks serve.js to exit; terminate only if it does not.
        if self.process.stdin:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            self.process.wait(timeout=5)
        self.reader.join(timeout=5)
        if self.process.stdout:
            self.process.stdout.close()


def start(directory: Path) -> CosmosServer:
    """Start serve.js on a free port and wait for its ``LISTENING <port>`` line."""
    if not (TOOL_DIR / "node_modules" / "@vercel" / "cosmosdb-server").is_dir():
        raise RuntimeError(f"run `npm ci` in {TOOL_DIR} (make test does it) to install the Cosmos test server")
    cert_path, key_path = write_self_signed(directory)
    process = subprocess.Popen(
        ["node", "serve.js", str(cert_path), str(key_path), "0"],
        cwd=TOOL_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    port: list[int] = []
    ready = threading.Event()

    def read_port() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("LISTENING "):
                port.append(int(line.split()[1]))
                ready.set()
        ready.set()

    reader = threading.Thread(target=read_port, daemon=True)
    reader.start()
    if not ready.wait(START_TIMEOUT_S) or not port:
        process.kill()
        process.wait()
        raise RuntimeError("the Cosmos test server did not start")
    return CosmosServer(f"https://127.0.0.1:{port[0]}/", str(cert_path), LOCAL_KEY, process, reader)
