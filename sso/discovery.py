"""Reading a provider's discovery document (OpenID Connect Discovery 1.0, section 4)."""

from __future__ import annotations

import requests

# Brygga's environment variable for each field of the discovery document.
ENV_FIELDS = {
    "OIDC_ISSUER": "issuer",
    "OIDC_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_USERINFO_ENDPOINT": "userinfo_endpoint",
    "OIDC_JWKS_URI": "jwks_uri",
    "OIDC_END_SESSION_ENDPOINT": "end_session_endpoint",
}


class DiscoveryError(Exception):
    pass


def discover(issuer: str, *, timeout: float = 10) -> dict[str, str]:
    """Brygga's settings for the provider at `issuer`, by environment variable name."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    response = requests.get(url, timeout=timeout)
    response.raise_for_status()
    document = response.json()
    if document.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        # Discovery 4.3: the document must name the issuer it was fetched for.
        raise DiscoveryError("The discovery document names another issuer.")
    if "RS256" not in document.get("id_token_signing_alg_values_supported", ["RS256"]):
        raise DiscoveryError("The provider does not sign ID tokens with RS256.")
    return {env: document[field] for env, field in ENV_FIELDS.items() if document.get(field)}
