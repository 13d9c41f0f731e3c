from django import forms


class AcceptTermsForm(forms.Form):
    version = forms.CharField(widget=forms.HiddenInput)
