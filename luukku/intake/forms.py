"""The public feedback form and the form for adding to an existing request.

Errors are tied to their fields for screen readers as on the other public forms
(`AccessibleFormMixin`). Images are processed (content-sniffed, limited, EXIF stripped) while
the form is cleaned, so a bad image is a field error like any other.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from luukku.catalogue.models import Service
from luukku.core.forms import AccessibleFormMixin

from .feedback import CONSENT_TEXT
from .media import ACCEPTED_CONTENT_TYPES, ProcessedImage, max_files, process_image
from .models import ServiceRequest

MAX_DESCRIPTION_LENGTH = 5000
DONT_KNOW = "none"


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ImagesField(forms.FileField):
    """Several images in one input; each is processed by media.py when the form is cleaned."""

    widget = MultipleImageInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        return files


class FeedbackForm(AccessibleFormMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of feedback?"),
        choices=ServiceRequest.Kind.choices,
        initial=ServiceRequest.Kind.SERVICE_REQUEST,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of feedback.")},
    )
    service = forms.CharField(widget=forms.HiddenInput, required=False)
    description = forms.CharField(
        label=_("Your feedback"),
        help_text=_("What happened, where and when? Do not write personal identity codes here."),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_DESCRIPTION_LENGTH,
        error_messages={"required": _("Write your feedback.")},
    )
    address = forms.CharField(
        label=_("Address or place (optional)"),
        help_text=_("For example Kauppakatu 1, Kuopio."),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = forms.DecimalField(
        label=_("Latitude (optional)"),
        help_text=_("Decimal degrees, for example 62.8924."),
        required=False,
        min_value=Decimal(-90),
        max_value=Decimal(90),
        max_digits=9,
        decimal_places=6,
        localize=False,
    )
    longitude = forms.DecimalField(
        label=_("Longitude (optional)"),
        help_text=_("Decimal degrees, for example 27.6770."),
        required=False,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        max_digits=9,
        decimal_places=6,
        localize=False,
    )
    images = ImagesField(
        label=_("Images (optional)"),
        help_text=_("JPEG, PNG or WebP, at most 5 images of 10 MB each."),
        required=False,
    )
    keep_location = forms.BooleanField(
        label=_("Keep the location stored in the images"),
        help_text=_("Without this, the location and camera details are removed from the images."),
        required=False,
    )
    first_name = forms.CharField(
        label=_("First name (optional)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name (optional)"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        help_text=_("We send a confirmation and the answer here."),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Enter the e-mail address in the form name@example.fi.")},
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    consent = forms.BooleanField(
        label=CONSENT_TEXT,
        required=False,
    )
    # Honeypot: hidden from people (the hidden attribute), filled in by naive bots.
    website = forms.CharField(label=_("Leave this field empty"), required=False)
    token = forms.CharField(widget=forms.HiddenInput)
    confirm_new = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["images"].widget.attrs["accept"] = ",".join(ACCEPTED_CONTENT_TYPES)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4().hex)
        self.processed_images: list[ProcessedImage] = []

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("website"))

    def clean_service(self) -> Service | None:
        slug = self.cleaned_data.get("service", "")
        if not slug or slug == DONT_KNOW:
            return None
        service = Service.objects.filter(slug=slug, accepts_feedback=True).first()
        if service is None:
            raise ValidationError(_("Choose the service again: this one takes no feedback."))
        return service

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        try:
            return uuid.UUID(token).hex
        except ValueError:
            raise ValidationError(_("The form has expired. Send it again.")) from None

    def clean_images(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("images") or []
        limit = max_files()
        if len(files) > limit:
            raise ValidationError(
                _("Attach at most %(count)s images."), params={"count": limit}, code="too_many"
            )
        return files

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        if cleaned.get("consent") and not (cleaned.get("email") or cleaned.get("phone")):
            self.add_error("email", _("Give an e-mail address or a phone number to be contacted."))
        if (cleaned.get("email") or cleaned.get("phone")) and not cleaned.get("consent"):
            self.add_error(
                "consent", _("Tick the consent to be contacted, or leave the contact details out.")
            )
        keep = bool(cleaned.get("keep_location"))
        errors: list[ValidationError] = []
        for upload in cleaned.get("images") or []:
            try:
                self.processed_images.append(
                    process_image(upload, name=upload.name or "", keep_location=keep)
                )
            except ValidationError as error:
                errors.extend(
                    ValidationError(f"{upload.name}: {message}") for message in error.messages
                )
        if errors:
            self.add_error("images", errors)
        return cleaned


class AddToRequestForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(
        label=_("What would you like to add?"),
        help_text=_("If the matter is not fixed, tell us what is still wrong."),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=MAX_DESCRIPTION_LENGTH,
        error_messages={"required": _("Write what you would like to add.")},
    )


class ServiceSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Which service is your feedback about?"),
        help_text=_("Search with a word, for example street lighting or library."),
        required=False,
        max_length=200,
    )


class MergeForm(AccessibleFormMixin, forms.Form):
    """Staff: the tracking code of the request a duplicate is merged into."""

    into = forms.CharField(
        label=_("Tracking code of the request that stays"),
        help_text=_("The duplicate is closed and its page points to this request."),
        max_length=20,
        error_messages={"required": _("Give the tracking code of the request that stays.")},
    )

    def __init__(self, *args: Any, duplicate: ServiceRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.duplicate = duplicate
        self.fields["into"].widget.attrs["aria-describedby"] = f"{self['into'].auto_id}_hint"

    def clean_into(self) -> ServiceRequest:
        code = self.cleaned_data["into"].strip().upper()
        survivor = ServiceRequest.objects.filter(service_request_id=code).first()
        if survivor is None:
            raise ValidationError(_("No request has this tracking code."))
        if survivor.pk == self.duplicate.pk or survivor.merged_into_id == self.duplicate.pk:
            raise ValidationError(_("A request cannot be merged into itself."))
        return survivor
