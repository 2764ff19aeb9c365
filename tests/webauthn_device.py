"""A software authenticator for the passkey tests: a P-256 key, "none" attestation, user presence and
verification, and a sign count; built from fido2's WebAuthn types."""

from __future__ import annotations

import hashlib
import json
import secrets

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

ORIGIN = "http://portal.test"
RP_ID = "portal.test"
FLAGS = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV


class SoftAuthenticator:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.sign_count = 0
        self.user_handle = b""

    def create(self, options_json: str, *, origin: str = ORIGIN, rp_id: str = RP_ID) -> str:
        """navigator.credentials.create()'s answer, as the JSON the portal sends."""
        options = json.loads(options_json)
        self.user_handle = websafe_decode(options["user"]["id"])
        client_data = CollectedClientData.create(
            type="webauthn.create", challenge=options["challenge"], origin=origin
        )
        public_key = ES256.from_cryptography_key(self.key.public_key())
        attested = AttestedCredentialData.create(b"\0" * 16, self.credential_id, public_key)
        auth_data = AuthenticatorData.create(
            _sha256(rp_id), FLAGS | AuthenticatorData.FLAG.AT, self.sign_count, attested
        )
        attestation = AttestationObject.create("none", auth_data, {})
        return json.dumps(
            {
                "id": websafe_encode(self.credential_id),
                "rawId": websafe_encode(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": websafe_encode(client_data),
                    "attestationObject": websafe_encode(attestation),
                    "transports": ["internal"],
                },
                "clientExtensionResults": {},
            }
        )

    def get(
        self,
        options_json: str,
        *,
        origin: str = ORIGIN,
        rp_id: str = RP_ID,
        sign_count: int | None = None,
    ) -> str:
        """navigator.credentials.get()'s answer; the sign count goes up by one unless given."""
        options = json.loads(options_json)
        self.sign_count = self.sign_count + 1 if sign_count is None else sign_count
        client_data = CollectedClientData.create(
            type="webauthn.get", challenge=options["challenge"], origin=origin
        )
        auth_data = AuthenticatorData.create(_sha256(rp_id), FLAGS, self.sign_count)
        signature = self.key.sign(bytes(auth_data) + _sha256(bytes(client_data)), ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": websafe_encode(self.credential_id),
                "rawId": websafe_encode(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": websafe_encode(client_data),
                    "authenticatorData": websafe_encode(auth_data),
                    "signature": websafe_encode(signature),
                    "userHandle": websafe_encode(self.user_handle),
                },
                "clientExtensionResults": {},
            }
        )


def _sha256(text: str | bytes) -> bytes:
    return hashlib.sha256(text.encode() if isinstance(text, str) else text).digest()
