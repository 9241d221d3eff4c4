"""Ukrainian first: the interface language is Ukrainian unless the user chose another one.

Django's LocaleMiddleware would follow the browser's Accept-Language header, so an operator whose
browser is set to English would get an English workspace without asking for it. This middleware
(placed before LocaleMiddleware) hides that header; the language switcher's cookie still wins.
"""

from collections.abc import Callable
from typing import Any


class UkrainianFirstMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
