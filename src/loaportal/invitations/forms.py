from django import forms
from django.utils.translation import gettext_lazy as _

EMAIL_ATTRS = {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}


class InvitationForm(forms.Form):
    """ "Créer un compte d'utilisateur de l'EED" / "Create a DLI user account"."""

    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The work email address of the person to add. It must be theirs alone."),
        widget=forms.EmailInput(attrs=dict(EMAIL_ATTRS)),
        error_messages={
            "required": _("Enter the email address of the person to add."),
            "invalid": _("Enter an email address in the correct format, like name@example.ca."),
        },
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()
