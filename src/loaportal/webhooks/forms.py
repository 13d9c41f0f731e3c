from django import forms
from django.utils.translation import gettext_lazy as _


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("Address of your endpoint"),
        max_length=500,
        help_text=_(
            "An HTTPS address on your systems that accepts POST requests, for example "
            "https://sis.college.example/loa-events."
        ),
    )
