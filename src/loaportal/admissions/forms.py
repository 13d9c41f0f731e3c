from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AdmissionsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Admissions list"),
        help_text=_(
            "CSV or Excel (.xlsx) with the columns name (or surname and given_names), "
            "date_of_birth (YYYY-MM-DD), student_id, program, start_date and status "
            "(admitted, withdrawn or deferred)."
        ),
        error_messages={"required": _("Choose the file to upload.")},
    )
