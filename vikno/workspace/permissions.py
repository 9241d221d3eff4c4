"""Page-level access of the workspace. Object-level decisions stay in vikno.appeals.access.

`role_required(*roles)`: anonymous → the login page; an account without one of `roles` → 403.
`domain_errors()`: turns the domain's PermissionDenied/NotFound into Django's 403/404, so a view
can call access.py and let a refusal end the request without changing anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from vikno.accounts.access import role_of
from vikno.accounts.roles import Role
from vikno.core.errors import NotFound, PermissionDenied

View = Callable[..., HttpResponseBase]


def role_required(*roles: Role) -> Callable[[View], View]:
    allowed = {str(r) for r in roles}

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if role_of(request.user) not in allowed:
                raise DjangoPermissionDenied
            with domain_errors():
                response = view(request, *args, **kwargs)
            # Workspace pages carry case files and personal data: no copies in browser or proxy
            # caches, and htmx fragments never served in place of the full page for one URL.
            add_never_cache_headers(response)
            patch_vary_headers(response, ["HX-Request"])
            return response

        wrapper.allowed_roles = frozenset(allowed)  # type: ignore[attr-defined]
        return wrapper

    return decorate


@contextmanager
def domain_errors() -> Iterator[None]:
    try:
        yield
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc


ALL_STAFF = tuple(Role)
