from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Decision file"),
        help_text=_(
            "CSV (UTF-8, comma or semicolon) or Excel (.xlsx), with the columns "
            "application_number, outcome and comment in its first row."
        ),
        error_messages={"required": _("Choose the file to upload.")},
    )
