"""Secrets of the auth service (JWT key sets, the TOTP data key, the refresh-successor key) and who may
read which."""

from __future__ import annotations

import json

from aws_cdk import RemovalPolicy, SecretValue
from aws_cdk import aws_iam as iam
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.constructs.nag import acknowledge
from oshi.identity.mfa import key_secret_name as mfa_key_secret_name
from oshi.identity.refresh_tokens import key_secret_name as refresh_key_secret_name
from oshi.kernel.settings import Settings

# Placeholders (no key material): the deployer writes the real values after the first deploy
# (docs/deploy.md). Until then the authorizer finds no key and denies every token.
_EMPTY_PRIVATE = json.dumps({"active_kid": None, "keys": {}})
_EMPTY_KEYS = json.dumps({"keys": {}})


class AuthSecrets(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if settings.stage == "prod" else RemovalPolicy.DESTROY
        self.jwt_private_keys = self._secret(
            "JwtPrivateKeys",
            settings.jwt_private_keys_secret,
            "JWT signing keys (ES256 PEMs by kid, active_kid): auth service only",
            _EMPTY_PRIVATE,
            removal,
        )
        self.jwt_public_keys = self._secret(
            "JwtPublicKeys",
            settings.jwt_public_keys_secret,
            "JWT verification keys (PEMs by kid): the authorizer",
            _EMPTY_KEYS,
            removal,
        )
        self.mfa_key = self._secret(
            "MfaDataKey",
            mfa_key_secret_name(settings),
            "Data key that encrypts the fans' TOTP secrets (oshi.identity.mfa): auth service only",
            _EMPTY_PRIVATE,
            removal,
        )

        self.refresh_key = self._secret(
            "RefreshKey",
            refresh_key_secret_name(settings),
            "HMAC key deriving each refresh token's successor (oshi.identity.refresh_tokens): token refresh only",
            _EMPTY_PRIVATE,
            removal,
        )

    def _secret(
        self, construct_id: str, name: str, description: str, placeholder: str, removal: RemovalPolicy
    ) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            construct_id,
            secret_name=name,
            description=description,
            secret_string_value=SecretValue.unsafe_plain_text(placeholder),
            removal_policy=removal,
        )
        acknowledge(
            secret,
            "AwsSolutions-SMG4",
            "Key sets are rotated by adding a new kid and switching active_kid "
            "(docs/deploy.md, oshi.identity.tokens); a rotation Lambda would cut live sessions.",
        )
        return secret

    def grant_token_issuer(self, grantee: iam.IGrantable) -> None:
        """Functions of the auth service: sign tokens, verify them, and read/write TOTP secrets."""
        self.jwt_private_keys.grant_read(grantee)
        self.jwt_public_keys.grant_read(grantee)
        self.mfa_key.grant_read(grantee)

    def grant_verifier(self, grantee: iam.IGrantable) -> None:
        """The authorizer: the public keys, nothing else."""
        self.jwt_public_keys.grant_read(grantee)


# Placeholders the deployer overwrites after the first deploy (docs/deploy.md, "Setting the secrets").
_EMPTY_PROVIDER = json.dumps({"api_key": "", "webhook_secret": ""})
_EMPTY_PEM = "not set: put the CloudFront signing key's private PEM here (docs/deploy.md)"


class PlatformSecrets(Construct):
    """Payment providers' keys (one JSON document each) and the CloudFront URL-signing private key."""

    def __init__(self, scope: Construct, construct_id: str, *, settings: Settings) -> None:
        super().__init__(scope, construct_id)
        removal = RemovalPolicy.RETAIN if settings.stage == "prod" else RemovalPolicy.DESTROY
        reason = (
            "Provider keys are rotated in the provider's dashboard and written here by the deployer "
            "(docs/deploy.md); a rotation Lambda cannot create provider keys."
        )
        self.stripe = self._secret(
            "StripeKeys",
            settings.stripe_secret,
            "Stripe {api_key, webhook_secret}",
            _EMPTY_PROVIDER,
            removal,
            reason,
        )
        self.komoju = self._secret(
            "KomojuKeys",
            settings.komoju_secret,
            "KOMOJU {api_key, webhook_secret}",
            _EMPTY_PROVIDER,
            removal,
            reason,
        )
        self.cdn_signing_key = self._secret(
            "CdnSigningKey",
            settings.cdn_signing_key_secret,
            "Private PEM of the CloudFront key group's public key: signs reward download URLs",
            _EMPTY_PEM,
            removal,
            "Rotated by adding a new public key to the key group, then replacing this PEM and the "
            "OSHI_CDN_KEY_PAIR_ID (docs/deploy.md); a rotation Lambda cannot change the key group.",
        )

    def _secret(
        self,
        construct_id: str,
        name: str,
        description: str,
        placeholder: str,
        removal: RemovalPolicy,
        reason: str,
    ) -> secretsmanager.Secret:
        secret = secretsmanager.Secret(
            self,
            construct_id,
            secret_name=name,
            description=description,
            secret_string_value=SecretValue.unsafe_plain_text(placeholder),
            removal_policy=removal,
        )
        acknowledge(secret, "AwsSolutions-SMG4", reason)
        return secret
