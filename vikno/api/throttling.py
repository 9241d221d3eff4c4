"""Rate limits per key (not per address: partners call from shared gateways).

The rate is `VIKNO["API_RATE"]` (env `VIKNO_API_RATE`, e.g. "3000/min"), read on every request so
a test or a changed setting applies at once. Counts live in Django's cache: in production with
several workers, configure a shared cache (Redis) so the limit holds across them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class KeyRateThrottle(SimpleRateThrottle):
    scope = "api_key"

    def get_rate(self) -> str | None:
        return str(settings.VIKNO.get("API_RATE") or "") or None

    def allow_request(self, request: Any, view: Any) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        prefix = getattr(request.auth, "prefix", None)
        if prefix is None:
            return None  # refused by authentication anyway
        return self.cache_format % {"scope": self.scope, "ident": prefix}
