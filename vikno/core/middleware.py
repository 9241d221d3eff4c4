"""Ukrainian first: the interface language is Ukrainian unless the user chose another one.

Django's LocaleMiddleware would follow the browser's Accept-Language header, so an operator whose
browser is set to English would get an English workspace without asking for it. This middleware
(placed before LocaleMiddleware) hides that header; the language switcher's cookie still wins.
"""

from collections.abc import Callable
from typing import Any

from django.http import QueryDict


class UkrainianFirstMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        # Partner systems choose the language of the API's messages (Ukrainian unless they ask).
        if not request.path_info.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


# NUL cannot be stored in PostgreSQL text, nor compared with it: a query (?q=%00) or a form field
# carrying one would end in a server error. Stripping it (rather than answering 400) keeps the
# rest of what the operator typed or pasted, which is what they meant; the other control
# characters are the domain's to clean (intake.clean_text), since some (tab, newline) are text.
_NUL = "\x00"


def _without_nul(data: QueryDict) -> QueryDict:
    if not any(_NUL in key or any(_NUL in v for v in data.getlist(key)) for key in data):
        return data
    clean = QueryDict(mutable=True, encoding=data.encoding)
    for key in data:
        clean.setlist(key.replace(_NUL, ""), [v.replace(_NUL, "") for v in data.getlist(key)])
    clean._mutable = False
    return clean


class StripNulMiddleware:
    """Remove NUL from every GET and POST key and value before a view reads them."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        request.GET = _without_nul(request.GET)
        # The partner API parses its own bodies (DRF): a malformed one is its JSON 400 there.
        if (request.method == "POST" and not _is_json(request)
                and not request.path_info.startswith("/api/")):
            request.POST = _without_nul(request.POST)
        return self.get_response(request)


def _is_json(request: Any) -> bool:
    # The API reads JSON bodies itself (DRF); parsing them as a form here would consume nothing
    # but would make no difference either, so they are left alone.
    return str(request.content_type).startswith("application/json")
