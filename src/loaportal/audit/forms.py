from django import forms
from django.utils.translation import gettext_lazy as _

from loaportal.audit.models import AuditEvent


class AuditFilterForm(forms.Form):
    event_type = forms.ChoiceField(
        label=_("Event"),
        required=False,
        choices=[("", _("All events")), *AuditEvent.Type.choices],
    )
