"""Template helpers that render Django form fields as GC Design System components.

One place renders every field and every error summary, so labels, hints, errors and
accessibility attributes are consistent on every form.
"""

import json

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()

PASSTHROUGH_ATTRS = ("autocomplete", "inputmode", "spellcheck", "autocapitalize", "maxlength")


def _input_type(field: forms.BoundField) -> str:
    widget = field.field.widget
    declared = widget.attrs.get("type")
    if declared:
        return declared
    return getattr(widget, "input_type", "text") or "text"


@register.simple_tag
def gcds_input(field: forms.BoundField, **overrides) -> str:
    """A ``<gcds-input>`` for a bound field: label, hint, value, server-side error."""
    input_type = overrides.pop("type", None) or _input_type(field)
    attrs: dict[str, str | None] = {
        "id": field.auto_id,
        "input-id": field.auto_id,
        "name": field.html_name,
        "label": str(field.label),
        "type": input_type,
        "validate-on": "other",
    }
    if field.help_text:
        attrs["hint"] = str(field.help_text)
    widget_attrs = field.field.widget.attrs
    for key in PASSTHROUGH_ATTRS:
        if key in widget_attrs:
            attrs[key] = str(widget_attrs[key])
    max_length = getattr(field.field, "max_length", None)
    if max_length and "maxlength" not in attrs:
        attrs["maxlength"] = str(max_length)
    if input_type != "password":
        value = field.value()
        if value not in (None, ""):
            attrs["value"] = str(value)
    if field.errors:
        attrs["error-message"] = " ".join(str(e) for e in field.errors)
    attrs.update({key.replace("_", "-"): str(val) for key, val in overrides.items()})
    flags = " required" if field.field.required else ""
    rendered = format_html_join(" ", '{}="{}"', attrs.items())
    return format_html("<gcds-input {}{}></gcds-input>", rendered, mark_safe(flags))  # noqa: S308


def _forms_with_errors(candidates) -> list[forms.BaseForm]:
    return [f for f in candidates if isinstance(f, forms.BaseForm) and f.is_bound and f.errors]


@register.simple_tag
def error_summary(*form_list) -> str:
    """A ``<gcds-error-summary>`` listing every server-side error, each linked to its field."""
    links: dict[str, str] = {}
    for form in _forms_with_errors(form_list):
        first_field_id = None
        for bound in form:
            first_field_id = first_field_id or f"#{bound.auto_id}"
            for error in bound.errors:
                links.setdefault(
                    f"#{bound.auto_id}",
                    _("%(label)s: %(error)s") % {"label": bound.label, "error": error},
                )
        for error in form.non_field_errors():
            if first_field_id:
                links.setdefault(first_field_id, str(error))
    if not links:
        return ""
    return format_html(
        '<gcds-error-summary heading="{}" error-links="{}"></gcds-error-summary>',
        _("There is a problem"),
        json.dumps(links, ensure_ascii=False),
    )


@register.simple_tag
def has_errors(*form_list) -> bool:
    return bool(_forms_with_errors(form_list))
