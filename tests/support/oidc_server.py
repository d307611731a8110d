"""A real external OIDC issuer for tests: an HTTP server on 127.0.0.1 serving a JWKS.

It signs tokens with its own keys exactly as an identity provider would, and counts how often
its JWKS is fetched, so tests can check caching and rate limiting.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

AUDIENCE = "partnership-hub"


@dataclass
class FakeIssuer:
    """The issuer's state: its keys (published or not) and the JWKS fetch count."""

    base_url: str = ""
    keys: dict[str, RSAKey] = field(default_factory=dict)
    published: set[str] = field(default_factory=set)
    jwks_hits: int = 0

    @property
    def jwks_url(self) -> str:
        """Where the JWKS is served."""
        return f"{self.base_url}/jwks.json"

    def new_key(self, *, publish: bool = True) -> str:
        """Generate a key (published in the JWKS unless told otherwise) and return its kid."""
        kid = uuid.uuid4().hex[:12]
        self.keys[kid] = RSAKey.generate_key(2048, private=True)
        if publish:
            self.published.add(kid)
        return kid

    def jwks(self) -> dict[str, Any]:
        """The published public keys."""
        return {
            "keys": [
                {**self.keys[kid].as_dict(private=False), "kid": kid, "use": "sig", "alg": "RS256"}
                for kid in sorted(self.published)
            ]
        }

    def token(self, kid: str, **claims: Any) -> str:
        """A token signed with key ``kid`` for the hub's audience; ``claims`` override."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.base_url,
            "aud": AUDIENCE,
            "sub": "user-7",
            "iat": now,
            "exp": now + 300,
            **claims,
        }
        return jwt.encode({"alg": "RS256", "kid": kid}, body, self.keys[kid], algorithms=["RS256"])


@contextmanager
def running_issuer() -> Iterator[FakeIssuer]:
    """Serve a fresh issuer on a free local port until the block ends."""
    issuer = FakeIssuer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/jwks.json":
                issuer.jwks_hits += 1
                body = json.dumps(issuer.jwks()).encode()
            elif self.path == "/.well-known/openid-configuration":
                body = json.dumps({"issuer": issuer.base_url, "jwks_uri": issuer.jwks_url}).encode()
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            """Keep test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    issuer.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
