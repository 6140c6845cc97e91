"""Webhook signatures, checked against an independent implementation (openssl)."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.scheducal.signing import SIGNATURE_HEADER, sign, verify

SECRETS = ["whsec_c2VjcmV0LW9uZQ", "whsec_" + "x" * 64, "whsec_äöü-non-ascii", "k"]
BODIES = [
    b"",
    json.dumps({"id": "3f2a", "eventType": "attendee.responded", "data": {}}).encode(),
    bytes(range(256)),  # NUL and bytes that are not UTF-8: signed as raw bytes
    b"{}" * 200_000,
]


def _openssl_hmac(body: bytes, secret: str) -> str:
    openssl = shutil.which("openssl")
    assert openssl, "openssl is needed as the independent reference implementation"
    result = subprocess.run(
        [openssl, "dgst", "-sha256", "-hmac", secret, "-r"],
        input=body,
        capture_output=True,
        check=True,
    )
    return result.stdout.split()[0].decode("ascii")


@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("body", BODIES, ids=["empty", "json", "binary", "400kB"])
def test_sign_matches_openssl(body, secret):
    assert sign(body, secret) == "sha256=" + _openssl_hmac(body, secret)


def test_header_name_is_the_documented_one():
    assert SIGNATURE_HEADER == "X-ScheduCal-Signature"


def test_verify_accepts_any_active_secret():
    body = BODIES[1]
    old, new, other = SECRETS[0], SECRETS[1], SECRETS[2]
    assert verify(body, sign(body, old), [old, new])  # during rotation: old still valid
    assert verify(body, sign(body, new), [old, new])
    assert verify(body, sign(body, new), ("", new))  # empty entries are ignored
    assert not verify(body, sign(body, other), [old, new])
    assert not verify(body, sign(body, old), [])
    assert verify(body, sign(body, old).upper().replace("SHA256=", "sha256="), [old])


@pytest.mark.parametrize(
    "header",
    [None, "", "sha256=", "sha256=abc", "sha1=" + "0" * 40, "deadbeef", "sha256=zz" + "0" * 62],
)
def test_verify_rejects_missing_or_malformed_headers(header):
    assert not verify(BODIES[1], header, SECRETS)


def test_verify_rejects_a_tampered_body():
    body = BODIES[1]
    header = sign(body, SECRETS[0])
    tampered = body.replace(b"responded", b"respondeD")
    assert not verify(tampered, header, SECRETS)
    assert not verify(body + b" ", header, SECRETS)  # even whitespace: raw bytes are signed
    assert not verify(json.dumps(json.loads(body), indent=1).encode(), header, SECRETS)


@settings(max_examples=60, deadline=None)
@given(body=st.binary(min_size=1, max_size=512), secret=st.text(min_size=1), flip=st.integers())
def test_any_single_byte_change_breaks_the_signature(body, secret, flip):
    header = sign(body, secret)
    assert verify(body, header, [secret])
    index = flip % len(body)
    changed = body[:index] + bytes([body[index] ^ 0x01]) + body[index + 1 :]
    assert not verify(changed, header, [secret])
