"""Form pieces shared by the registries."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

ID_NUMBER_LABEL = _("身份证号")


class IdNumberField(forms.CharField):
    """A resident ID number typed into a form; the browser is told not to keep it (R25).

    Validation stays with the form: each one parses, indexes or encrypts the number its own way.
    """

    def __init__(self, *, label=ID_NUMBER_LABEL, max_length: int = 20, **kwargs):
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(label=label, max_length=max_length, **kwargs)
