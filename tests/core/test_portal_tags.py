"""The GC Design System field partials for choices and long text."""

from __future__ import annotations

import json
import re

from django import forms
from django.template import Context, Template
from django.utils import translation


class ExampleForm(forms.Form):
    colour = forms.ChoiceField(
        label="Colour <b>",
        choices=[("", "---"), ("red", "Red & co"), ("blue", 'Blue "sky"')],
        widget=forms.RadioSelect,
    )
    size = forms.ChoiceField(label="Size", choices=[("s", "Small"), ("l", "<Large>")])
    note = forms.CharField(label="Note", max_length=300, widget=forms.Textarea, required=False)


def render(source: str, form) -> str:
    # In English whatever language an earlier test's request left active.
    with translation.override("en"):
        return Template("{% load portal %}" + source).render(Context({"form": form}))


def test_radios_carry_options_checked_value_and_error():
    form = ExampleForm(data={"size": "l"})
    assert not form.is_valid()
    html = render("{% gcds_radios form.colour %}", form)
    assert html.startswith('<gcds-radios id="id_colour"') and html.endswith(
        " required></gcds-radios>"
    )
    assert 'legend="Colour &lt;b&gt;"' in html
    assert 'error-message="This field is required."' in html
    options = json.loads(
        re.search(r'options="([^"]*)"', html).group(1).replace("&quot;", '"').replace("&amp;", "&")
    )
    assert [o["value"] for o in options] == ["red", "blue"]
    assert options[1]["label"] == 'Blue "sky"'
    checked = render("{% gcds_radios form.colour %}", ExampleForm(data={"colour": "blue"}))
    assert "&quot;checked&quot;: true" in checked
    # Never a ``value`` attribute as well: gcds-radios would then show the choice but not
    # post it (tests/browser/test_choices_sent.py shows it in the browser).
    assert " value=" not in checked


def test_select_renders_native_options_escaped_and_selected():
    html = render("{% gcds_select form.size %}", ExampleForm(data={"size": "l"}))
    assert 'select-id="id_size"' in html and 'label="Size"' in html
    assert '<option value="l" selected>&lt;Large&gt;</option>' in html
    assert '<option value="s">Small</option>' in html


def test_textarea_keeps_the_value_and_limit():
    html = render("{% gcds_textarea form.note %}", ExampleForm(data={"note": 'a "quote"'}))
    assert 'textarea-id="id_note"' in html and 'maxlength="300"' in html
    assert 'value="a &quot;quote&quot;"' in html
    assert " required" not in html
