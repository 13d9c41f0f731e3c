"""The statistics' filters: a period (from and to months, YYYY-MM), and for officers a
province or territory and a DLI number."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from loaportal.institutions.models import Institution

MONTH_PATTERN = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
MSG_MONTH_INVALID = _("Enter a month as YYYY-MM, for example 2026-03.")
MSG_PERIOD_REVERSED = _("The first month must not be after the last month.")
MSG_DLI_UNKNOWN = _("No DLI has this number.")


class MonthField(forms.CharField):
    """A calendar month written YYYY-MM; cleaned to the date of its first day."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("help_text", _("YYYY-MM"))
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"})
        )
        super().__init__(**kwargs)

    def clean(self, value: Any) -> date | None:
        text = super().clean(value)
        if not text:
            return None
        match = MONTH_PATTERN.match(text)
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
            raise forms.ValidationError(MSG_MONTH_INVALID, code="invalid")
        return date(int(match.group(1)), int(match.group(2)), 1)


def month_text(month: date) -> str:
    return f"{month:%Y-%m}"


class StatisticsFilterForm(forms.Form):
    """A DLI member's filters: the period."""

    month_from = MonthField(label=_("From (month)"))
    month_to = MonthField(label=_("To (month)"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("month_from"), cleaned.get("month_to")
        if first and last and first > last:
            self.add_error("month_to", MSG_PERIOD_REVERSED)
        return cleaned


def _province_choices() -> list[tuple[str, str]]:
    return [
        ("", str(_("All provinces and territories"))),
        *((code, str(label)) for code, label in Institution.Province.choices),
    ]


class OfficerStatisticsFilterForm(StatisticsFilterForm):
    """An officer's filters: the period, a province or territory, a DLI."""

    province = forms.ChoiceField(
        label=_("Province or territory"), required=False, choices=_province_choices
    )
    dli = forms.CharField(
        label=_("DLI number"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_dli(self) -> Institution | None:
        number = (self.cleaned_data.get("dli") or "").strip().upper()
        if not number:
            return None
        institution = Institution.objects.filter(dli_number=number).first()
        if institution is None:
            raise forms.ValidationError(MSG_DLI_UNKNOWN, code="unknown")
        return institution
