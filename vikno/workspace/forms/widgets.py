"""Select widgets for long reference lists (sub-topics, territories, authorities) that render
their options in Python: the same markup as Django's templates, without a template rendered
per option (a filters form of a list shows several hundred options on every page)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


class _Direct:
    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        parts: list[str] = [format_html("<select name=\"{}\"{}>", widget["name"], flatatt(widget["attrs"]))]
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(format_html("<optgroup label=\"{}\">", group))
            parts.extend(format_html("<option value=\"{}\"{}>{}</option>", option["value"],
                                     flatatt(option["attrs"]), option["label"])
                         for option in options)
            if group:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("\n".join(parts))  # noqa: S308 - every part is escaped above


class QuickSelect(_Direct, forms.Select):
    """forms.Select, its options rendered in Python."""


class QuickSelectMultiple(_Direct, forms.SelectMultiple):
    """forms.SelectMultiple, its options rendered in Python."""
