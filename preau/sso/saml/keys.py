"""The service provider's key and certificate: from the environment, or generated once.

`SAML_SP_KEY_FILE` and `SAML_SP_CERT_FILE` name PEM files in production. Without them, a
self-signed pair is generated on first use into `VAR_DIR/saml/` (never committed) — fine for
the demo, to be replaced by a managed pair before registering with a real federation.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.conf import settings

KEY_BITS = 3072
CERT_YEARS = 10


def generate_key_pair(
    common_name: str, *, years: int = CERT_YEARS, bits: int = KEY_BITS
) -> tuple[bytes, bytes]:
    """A fresh RSA key and a self-signed certificate for it, both PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64])])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * years))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def sp_key_files() -> tuple[str, str]:
    """(key file, certificate file) of the service provider, generating the demo pair once."""
    key_file = getattr(settings, "SAML_SP_KEY_FILE", "")
    cert_file = getattr(settings, "SAML_SP_CERT_FILE", "")
    if key_file and cert_file:
        return key_file, cert_file
    folder = Path(settings.SAML_SP_GENERATED_DIR)
    key_path, cert_path = folder / "sp.key", folder / "sp.crt"
    if not (key_path.exists() and cert_path.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        # Several processes may start at once: one generates, the others wait and reuse it.
        with open(folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (key_path.exists() and cert_path.exists()):
                key_pem, cert_pem = generate_key_pair("Préau SAML service provider")
                fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(key_pem)
                cert_path.write_bytes(cert_pem)
    return str(key_path), str(cert_path)
