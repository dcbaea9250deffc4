"""The dashboard's forms: a study's TOML upload, and a number of places to add.

The upload is read and parsed here (:func:`study.protocol.config.parse_config`, the
parser ``create_study --config`` uses), so a malformed or invalid definition is
answered with every problem the command would print, one per line, naming its key.
"""

from __future__ import annotations

from django import forms
from django.core.files.uploadedfile import UploadedFile

from study.protocol.config import MAX_RATERS, ConfigError, StudyConfig, parse_config

# A study definition is a few hundred bytes; anything near this is not one.
MAX_TOML_BYTES = 256 * 1024


class StudyUploadForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="Letters, digits, '-' or '_' (as create_study NAME).",
    )
    config = forms.FileField(label="Study definition (TOML)")
    allow_missing_methods = forms.BooleanField(
        required=False,
        label="Drop methods that have no outputs for an arm's dataset (and say which)",
    )

    def clean_config(self) -> tuple[StudyConfig, str]:
        """The parsed definition and its text; every ConfigError line becomes an error."""
        upload: UploadedFile = self.cleaned_data["config"]
        filename = upload.name or "upload.toml"
        if upload.size is not None and upload.size > MAX_TOML_BYTES:
            raise forms.ValidationError(
                f"{filename}: {upload.size} bytes; a study definition is at most "
                f"{MAX_TOML_BYTES} bytes"
            )
        try:
            text = upload.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(f"{filename}: not UTF-8 text ({exc})") from None
        try:
            return parse_config(text, source=filename), text
        except ConfigError as exc:
            raise forms.ValidationError(list(exc.errors)) from None


class PlacesForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=MAX_RATERS, label="Places to add")
