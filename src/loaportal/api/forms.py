from django import forms
from django.utils.translation import gettext_lazy as _

from loaportal.api.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=100,
        help_text=_("Say which system uses it, for example “Student information system”."),
    )
    scope = forms.ChoiceField(
        label=_("What the token may do"),
        choices=[
            (ApiToken.Scope.READ, _("Read requests and download documents")),
            (ApiToken.Scope.DECIDE, _("Read requests and record decisions")),
        ],
    )


class IrccTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=100,
        help_text=_("Say which system uses it, for example “GCMS intake”."),
    )
