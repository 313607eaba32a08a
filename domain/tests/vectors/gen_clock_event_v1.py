#!/usr/bin/env python3
"""Regenerates clock_event_v1.json: an independent implementation of the
`offduty.clock-event.v1` canonical bytes (see ClockEvent::canonical_bytes in
domain/src/timecard.rs) and signatures over them made with Python `cryptography`
and the `openssl` CLI. Not run by the tests: they read the frozen JSON.

    python3 domain/tests/vectors/gen_clock_event_v1.py > domain/tests/vectors/clock_event_v1.json

Signatures by random-k ECDSA differ on every run; the canonical bytes, hash, keys
and the RFC 6979 signature do not.
"""
import base64, hashlib, json, os, subprocess, tempfile

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature, encode_dss_signature)

N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

# The frozen event (same values as `frozen_event()` in the Rust tests).
FIELDS = [
    ("event_id", "0190a5b4-6c1e-7a3f-9b2d-1c4e5f6a7b8c"),
    ("device_id", "5f0c6b1e-2d3a-4c5b-8e9f-0a1b2c3d4e5f"),
    ("officer_id", "7d3e2f10-8a9b-4c6d-9e1f-2a3b4c5d6e7f"),
    ("job_id", "c0ffee00-1234-4abc-8def-0123456789ab"),
    ("kind", "in"),
    ("seq", "42"),
    ("prev_hash", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    ("fix.lat_e7", "407127753"),
    ("fix.lon_e7", "-740059728"),
    ("fix.accuracy_cm", "1250"),
    ("fix.fix_time", "2025-03-14T21:59:58.250000000Z"),
    ("fix.provider", "fused"),
    ("fix.is_mock", "false"),
    ("device_time", "2025-03-14T22:00:00.000000001Z"),
    ("monotonic_ms", "86400123"),
    ("boot_id", "b3f1c2d4-9e8a-4b7c-a6d5-e4f3a2b1c0d9"),
]


def canonical():
    out = b"offduty.clock-event.v1\n"
    for name, value in FIELDS:
        v = value.encode("utf-8")
        out += name.encode() + b"=" + str(len(v)).encode() + b":" + v + b"\n"
    return out


def b64(b):
    return base64.b64encode(b).decode()


def raw(der):
    r, s = decode_dss_signature(der)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def high_s(der):
    r, s = decode_dss_signature(der)
    return encode_dss_signature(r, s if s > N // 2 else N - s)


def low_s(der):
    r, s = decode_dss_signature(der)
    return encode_dss_signature(r, s if s <= N // 2 else N - s)


msg = canonical()
scalar = int.from_bytes(hashlib.sha256(b"offduty test vector key v1").digest(), "big") % N
key = ec.derive_private_key(scalar, ec.SECP256R1())
pub = key.public_key()
spki = pub.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
pem = pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
sec1_u = pub.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
sec1_c = pub.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)

py_der = key.sign(msg, ec.ECDSA(hashes.SHA256()))
rfc6979_der = key.sign(msg, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))

with tempfile.TemporaryDirectory() as d:
    def path(n):
        return os.path.join(d, n)
    open(path("msg"), "wb").write(msg)
    open(path("key.pem"), "wb").write(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    open(path("pub.pem"), "wb").write(pem)
    subprocess.run(["openssl", "dgst", "-sha256", "-sign", path("key.pem"), "-out", path("sig"),
                    path("msg")], check=True)
    openssl_der = open(path("sig"), "rb").read()
    # openssl verifies everything Python made, including the (Rust-equal) RFC 6979 signature.
    for i, der in enumerate([low_s(py_der), high_s(py_der), rfc6979_der, openssl_der]):
        open(path(f"v{i}"), "wb").write(der)
        subprocess.run(["openssl", "dgst", "-sha256", "-verify", path("pub.pem"), "-signature",
                        path(f"v{i}"), path("msg")], check=True, stdout=subprocess.DEVNULL)

for der in [low_s(py_der), high_s(py_der), rfc6979_der, openssl_der]:
    pub.verify(der, msg, ec.ECDSA(hashes.SHA256()))

other = ec.generate_private_key(ec.SECP256R1()).public_key()
k1 = ec.generate_private_key(ec.SECP256K1()).public_key()
rsa_pub = rsa.generate_private_key(public_exponent=65537, key_size=1024).public_key()
spki_of = lambda k: b64(k.public_bytes(serialization.Encoding.DER,
                                       serialization.PublicFormat.SubjectPublicKeyInfo))

print(json.dumps({
    "format": "offduty.clock-event.v1",
    "canonical": msg.decode(),
    "sha256_hex": hashlib.sha256(msg).hexdigest(),
    "private_key_hex": f"{scalar:064x}",
    "public_key_pem": pem.decode(),
    "public_key_spki_b64": b64(spki),
    "public_key_sec1_uncompressed_b64": b64(sec1_u),
    "public_key_sec1_compressed_b64": b64(sec1_c),
    "python_low_s_der_b64": b64(low_s(py_der)),
    "python_low_s_raw_b64": b64(raw(low_s(py_der))),
    "python_high_s_der_b64": b64(high_s(py_der)),
    "python_high_s_raw_b64": b64(raw(high_s(py_der))),
    "openssl_der_b64": b64(openssl_der),
    "rfc6979_der_b64": b64(rfc6979_der),
    "other_p256_spki_b64": spki_of(other),
    "secp256k1_spki_b64": spki_of(k1),
    "rsa_spki_b64": spki_of(rsa_pub),
}, indent=2))
