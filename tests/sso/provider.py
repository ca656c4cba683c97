"""A small OpenID Connect provider for tests: discovery, authorize, token, userinfo, JWKS.

It runs on 127.0.0.1 in a thread and signs ID tokens with an RSA key made here. The test says
who logs in next (`provider.user`) and may spoil the next ID token (`provider.spoil`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "brygga-test"
CLIENT_SECRET = "provider-test-secret"  # noqa: S105


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Provider:
    def __init__(self) -> None:
        self.key = new_key()
        self.kid = "test-key-1"
        self.user: dict = {}
        self.spoil: dict = {}  # claim -> value put into the next ID token
        self.tamper = False  # change the next ID token after signing
        self.sign_with = None  # another key for the next ID token
        self.userinfo_changes: dict = {}  # claims the userinfo endpoint answers differently
        self.codes: dict[str, dict] = {}
        self.access_tokens: dict[str, dict] = {}
        self.requests: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}/realms/kommun"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Provider:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.issuer + "/authorize",
            "token_endpoint": self.issuer + "/token",
            "userinfo_endpoint": self.issuer + "/userinfo",
            "jwks_uri": self.issuer + "/jwks",
            "end_session_endpoint": self.issuer + "/logout",
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
        }

    def jwks(self) -> dict:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def authorize(self, query: dict) -> tuple[int, dict]:
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return 400, {}
        code = secrets.token_urlsafe(16)
        self.codes[code] = {
            "user": dict(self.user),
            "nonce": query.get("nonce"),
            "redirect_uri": query["redirect_uri"],
            "challenge": query.get("code_challenge"),
        }
        back = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
        return 302, {"Location": back}

    def token(self, form: dict) -> tuple[int, dict]:
        grant = self.codes.pop(form.get("code", ""), None)
        if (
            grant is None
            or form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("redirect_uri") != grant["redirect_uri"]
            or _challenge(form.get("code_verifier", "")) != grant["challenge"]
        ):
            return 400, {"error": "invalid_grant"}
        access_token = secrets.token_urlsafe(16)
        self.access_tokens[access_token] = grant["user"]
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": 300,
            "id_token": self.id_token(grant["user"], grant["nonce"]),
        }

    def id_token(self, user: dict, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            **user,
            **self.spoil,
        }
        key = self.sign_with or self.key
        token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})
        if self.tamper:
            header, payload, signature = token.split(".")
            changed = {**claims, "groups": [*claims.get("groups", []), "brygga-admin"]}
            payload = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=")
            token = ".".join([header, payload.decode(), signature])
        return token

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        user = self.access_tokens.get(authorization.removeprefix("Bearer "))
        if user is None:
            return 401, {}
        return 200, {**user, **self.userinfo_changes}


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            url = urlsplit(self.path)
            provider.requests.append(url.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            path = url.path.removeprefix(urlsplit(provider.issuer).path)
            if path.endswith("/.well-known/openid-configuration"):
                self.reply(200, provider.discovery())
            elif path == "/jwks":
                self.reply(200, provider.jwks())
            elif path == "/authorize":
                status, headers = provider.authorize(query)
                self.reply(status, {}, headers)
            elif path == "/userinfo":
                self.reply(*provider.userinfo(self.headers.get("Authorization", "")))
            else:
                self.reply(404, {})

        def do_POST(self):  # noqa: N802
            url = urlsplit(self.path)
            provider.requests.append(url.path)
            length = int(self.headers.get("Content-Length", 0))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if url.path.endswith("/token"):
                self.reply(*provider.token(form))
            else:
                self.reply(404, {})

        def reply(self, status: int, body: dict, headers: dict | None = None):
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # keep the test output quiet
            pass

    return Handler
