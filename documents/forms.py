"""The upload form parses input; documents.actions checks the content and decides."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms_util import required_by_the_action
from documents.models import AttachmentKind
from people.models import CaseStatus


class CaseChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, case) -> str:
        return f"{case} – {case.authority_unit} ({case.get_status_display().lower()})"


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        allow_empty_file=True,  # the action says "the file is empty" in its own words
        help_text=_("A PDF file or a PNG, JPEG or TIFF image."),
        widget=forms.FileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.tif,.tiff"}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=200,
        required=False,
        help_text=_(
            "For example “Application for support, signed 3 March”. The file name is used if empty."
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind of document"), choices=AttachmentKind.choices, widget=forms.RadioSelect
    )
    case = CaseChoiceField(label=_("Case"), queryset=None, required=False, empty_label=_("None"))

    def __init__(self, *args, person, too_large_message: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        required_by_the_action(self, "file")  # clean_file says what is wrong, too large or missing
        self.too_large_message = too_large_message
        cases = person.cases.select_related("authority_unit").order_by("-opened_on")
        cast(forms.ModelChoiceField, self.fields["case"]).queryset = cases
        open_cases = [case for case in cases if case.status == CaseStatus.OPEN]
        if len(open_cases) == 1:
            self.fields["case"].initial = open_cases[0].pk

    def clean_file(self):
        if self.too_large_message:
            raise forms.ValidationError(self.too_large_message)
        uploaded = self.cleaned_data.get("file")
        if not uploaded:
            raise forms.ValidationError(_("Choose the file to attach."))
        return uploaded
