"""Template helpers that render Django form fields as GC Design System components.

One place renders every field and every error summary, so labels, hints, errors and
accessibility attributes are consistent on every form.
"""

import json

from django import forms, template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from loaportal.core import durations
from loaportal.core.user_agents import user_agent_describe

register = template.Library()


@register.simple_tag
def login_code_validity() -> str:
    """``3 minutes`` (from ``LOGIN_CODE_VALIDITY_SECONDS``), in the active language."""
    return durations.login_code_validity()


@register.simple_tag
def password_reset_code_validity() -> str:
    return durations.password_reset_code_validity()


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


def _common_attrs(field: forms.BoundField) -> dict[str, str]:
    attrs = {"id": field.auto_id, "name": field.html_name, "validate-on": "other"}
    if field.help_text:
        attrs["hint"] = str(field.help_text)
    if field.errors:
        attrs["error-message"] = " ".join(str(e) for e in field.errors)
    return attrs


def _render(tag: str, attrs: dict[str, str], required: bool, inner: str = "") -> str:
    flags = " required" if required else ""
    rendered = format_html_join(" ", '{}="{}"', attrs.items())
    # ``flags`` is a constant and ``inner`` was built with format_html: both are safe.
    safe_flags, safe_inner = mark_safe(flags), mark_safe(inner)  # noqa: S308
    return format_html("<{} {}{}>{}</{}>", tag, rendered, safe_flags, safe_inner, tag)


def _choices(field: forms.BoundField) -> list[tuple[str, str]]:
    """The field's choices as strings, without the empty "choose one" entry."""
    # Radios and selects are drawn for choice fields only; ``Field`` itself has no choices.
    choices = field.field.choices  # type: ignore[attr-defined]
    return [(str(value), str(label)) for value, label in choices if str(value) != ""]


def _selected(field: forms.BoundField) -> set[str]:
    value = field.value()
    if value in (None, ""):
        return set()
    if isinstance(value, list | tuple):
        return {str(v) for v in value}
    return {str(value)}


@register.simple_tag
def gcds_radios(field: forms.BoundField, **overrides) -> str:
    """A ``<gcds-radios>`` for a choice field: legend, options, checked option, server error.

    The choice is given only as the option's ``checked`` flag, never as the element's ``value``
    attribute: gcds-radios hands a ``checked`` option to the form (``setFormValue``) only while
    its ``value`` is empty, so an element rendered with both *shows* the choice but posts
    nothing (issue 8: "looks selected, is not sent").
    """
    selected = _selected(field)
    options = [
        {"id": f"{field.auto_id}_{index}", "label": label, "value": value}
        | ({"checked": True} if value in selected else {})
        for index, (value, label) in enumerate(_choices(field))
    ]
    attrs = _common_attrs(field) | {
        "legend": str(field.label),
        "options": json.dumps(options, ensure_ascii=False),
    }
    attrs.update({key.replace("_", "-"): str(val) for key, val in overrides.items()})
    return _render("gcds-radios", attrs, field.field.required)


@register.simple_tag
def gcds_select(field: forms.BoundField, **overrides) -> str:
    """A ``<gcds-select>`` with native ``<option>`` children."""
    selected = _selected(field)
    attrs = _common_attrs(field) | {"select-id": field.auto_id, "label": str(field.label)}
    attrs["default-value"] = _("Select an option")
    attrs.update({key.replace("_", "-"): str(val) for key, val in overrides.items()})
    inner = format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        (
            (value, mark_safe(" selected") if value in selected else "", label)  # noqa: S308
            for value, label in _choices(field)
        ),
    )
    return _render("gcds-select", attrs, field.field.required, inner)


@register.simple_tag
def gcds_textarea(field: forms.BoundField, **overrides) -> str:
    """A ``<gcds-textarea>`` for a text field, with its value and server error."""
    attrs = _common_attrs(field) | {"textarea-id": field.auto_id, "label": str(field.label)}
    max_length = getattr(field.field, "max_length", None)
    if max_length:
        attrs["maxlength"] = str(max_length)
    value = field.value()
    if value not in (None, ""):
        attrs["value"] = str(value)
    attrs.update({key.replace("_", "-"): str(val) for key, val in overrides.items()})
    return _render("gcds-textarea", attrs, field.field.required)


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


@register.filter
def browser_and_system(user_agent: str) -> str:
    """A session's User-Agent as a person reads it: "Chrome on Windows"."""
    return user_agent_describe(user_agent or "")
