"""Partner systems authenticate with their key: `Authorization: Bearer <key>` or `X-API-Key`.

The request then acts as the key's own system account (`request.user`), so the access rules and
the audit trail treat it like any other account; `request.auth` is the key (its prefix names it
in the rate limits)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from vikno.accounts.api_keys import api_key_authenticate
from vikno.accounts.models import ApiKeyScope


class KeyRefused(exceptions.AuthenticationFailed):
    default_detail = _("The API key is missing, wrong or revoked.")
    default_code = "invalid_api_key"


class NoKey(exceptions.NotAuthenticated):
    default_detail = _("Send the API key: Authorization: Bearer <key>.")
    default_code = "not_authenticated"


def _raw_key(request: Any) -> str | None:
    header = get_authorization_header(request).split()
    if header:
        if header[0].lower() != b"bearer" or len(header) != 2:
            raise KeyRefused()
        try:
            return header[1].decode("ascii")
        except UnicodeDecodeError:
            raise KeyRefused() from None
    return request.META.get("HTTP_X_API_KEY") or None


class ApiKeyAuthentication(BaseAuthentication):
    scope = ApiKeyScope.API

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        raw = _raw_key(request)
        if raw is None:
            return None
        key = api_key_authenticate(raw, scope=self.scope)
        if key is None:
            raise KeyRefused()
        return key.account, key

    def authenticate_header(self, request: Any) -> str:
        # A 401 (not 403) names the scheme to use.
        return 'Bearer realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "vikno.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "http", "scheme": "bearer",
                "description": "The partner's key: `Authorization: Bearer vk_…` "
                               "(or the `X-API-Key` header)."}
