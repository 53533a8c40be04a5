"""Open311 GeoReport v2 views: parse → check → call a selector or service → render.

Plain Django views rather than DRF: GeoReport fixes the shapes of every answer, errors
included (a 404 or 405 must also be [{"code", "description"}] in the requested format), and
DRF's content negotiation, error bodies and browsable API would all have to be undone.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import URLValidator, validate_email
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from luukku.core.audit import client_ip

from .. import reference, selectors, services
from ..media import max_files, process_image
from ..models import ApiClient, ServiceRequest, hash_api_key
from . import params, representations, throttling
from .params import ApiError
from .rendering import render, render_error

View = Callable[..., HttpResponse]

# The longest value each POSTed text field may have: the model's column sizes.
FIELD_LIMITS = {
    "title": 200,
    "description": 10_000,
    "address_string": 300,
    "address_id": 100,
    "email": 254,
    "first_name": 100,
    "last_name": 100,
    "phone": 40,
    "device_id": 200,
    "account_id": 200,
    "service_object_id": 200,
    "service_object_type": 200,
    "media_url": 500,
}
MAX_IDEMPOTENCY_KEY_LENGTH = 200


def open311_view(*methods: str) -> Callable[[View], View]:
    """The frame of every endpoint: allowed methods, jurisdiction, IP limit, GeoReport errors."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(
            request: HttpRequest, *args: Any, fmt: str = "json", **kwargs: Any
        ) -> HttpResponse:
            if request.method not in methods:
                response = render_error(405, f"Method {request.method} is not allowed.", fmt=fmt)
                response["Allow"] = ", ".join(methods)
                return response
            wait = throttling.allow(
                scope="ip", ident=client_ip(request) or "-", rate=throttling.default_rate("ip")
            )
            if wait is not None:
                return _throttled(wait, fmt)
            try:
                if any("\x00" in str(arg) for arg in kwargs.values()):
                    raise ApiError(404, "Not found.")
                source = _parameters(request)
                _reject_nul(request.GET)
                _reject_nul(source)
                params.check_jurisdiction(source)
                return view(request, *args, fmt=fmt, **kwargs)
            except ApiError as error:
                return render_error(error.status, error.description, fmt=fmt)

        return csrf_exempt(wrapped)

    return decorator


def _parameters(request: HttpRequest) -> QueryDict:
    """The form of a POST, the query otherwise; a body Django cannot parse is a 400."""
    if request.method != "POST":
        return request.GET
    try:
        return request.POST
    except (SuspiciousOperation, MultiPartParserError) as error:
        raise ApiError(400, f"The request body could not be read: {error}") from None


def _reject_nul(data: QueryDict) -> None:
    for key, values in data.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            raise ApiError(400, "Parameters must not contain NUL characters.")


def _throttled(wait: int, fmt: str) -> HttpResponse:
    response = render_error(429, "Too many requests; try again later.", fmt=fmt)
    response["Retry-After"] = str(wait)
    return response


def _base_url(request: HttpRequest) -> str:
    """The scheme and host that stored media URLs are made absolute with."""
    return request.build_absolute_uri("/").rstrip("/")


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other address under /open311/v2/: a GeoReport 404, in XML when asked for .xml."""
    fmt = "xml" if path.endswith(".xml") else "json"
    return render_error(404, "No such endpoint.", fmt=fmt)


@open311_view("GET", "HEAD")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    base = request.build_absolute_uri("/open311/v2/")
    data = representations.discovery_dict(base, representations.DISCOVERY_CHANGESET)
    return render(data, fmt=fmt, xml_root="discovery")


@open311_view("GET", "HEAD")
def service_list(request: HttpRequest, fmt: str) -> HttpResponse:
    language = params.locale_param(request.GET)
    data = [
        representations.service_dict(service, language) for service in selectors.feedback_services()
    ]
    return render(data, fmt=fmt, xml_root="services")


@open311_view("GET", "HEAD")
def service_definition(request: HttpRequest, fmt: str, service_code: str) -> HttpResponse:
    service = selectors.feedback_service(service_code)
    if service is None:
        raise ApiError(404, f"Unknown service_code: {service_code}.")
    language = params.locale_param(request.GET)
    data = representations.definition_dict(
        service, list(selectors.attributes_of(service)), language
    )
    return render(data, fmt=fmt, xml_root="service_definition")


@open311_view("GET", "HEAD", "POST")
def request_list(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create_request(request, fmt)
    query = request.GET
    filters = params.request_filters(query)
    page = params.int_param(query, "page", 1, 1_000_000)
    page_size = params.int_param(query, "page_size", params.DEFAULT_PAGE_SIZE, params.MAX_PAGE_SIZE)
    history = params.bool_param(query, "extensions")
    matching = selectors.filter_requests(filters)
    found = selectors.paginate(matching, page=page, page_size=page_size, with_history=history)
    return _render_requests(request, found, fmt)


def _render_requests(
    request: HttpRequest, found: list[selectors.PublicRequest], fmt: str
) -> HttpResponse:
    language = params.locale_param(request.GET)
    extensions = params.bool_param(request.GET, "extensions")
    base = _base_url(request)
    data = [
        representations.request_dict(r, language=language, extensions=extensions, base_url=base)
        for r in found
    ]
    return render(data, fmt=fmt, xml_root="service_requests")


@open311_view("GET", "HEAD")
def request_detail(request: HttpRequest, fmt: str, service_request_id: str) -> HttpResponse:
    history = params.bool_param(request.GET, "extensions")
    found = selectors.request_by_id(service_request_id, with_history=history)
    if found is None:
        raise ApiError(404, f"Unknown service_request_id: {service_request_id}.")
    return _render_requests(request, [found], fmt)


@open311_view("GET", "HEAD")
def token_detail(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    found = selectors.request_by_token(token)
    if found is None:
        raise ApiError(404, f"Unknown token: {token}.")
    data = [{"service_request_id": found.service_request_id, "token": found.token}]
    return render(data, fmt=fmt, xml_root="service_requests")


def _api_client(form: QueryDict) -> ApiClient:
    key = params.value(form, "api_key")
    if not key:
        raise ApiError(403, "api_key is required.")
    key_hash = hash_api_key(key)
    client = reference.current().api_clients.get(key_hash)
    if client is None:  # a key issued after this process read its copy, or a wrong one
        client = ApiClient.objects.filter(key_hash=key_hash, is_active=True).first()
    if client is None:
        raise ApiError(403, "api_key is not valid.")
    return client


def _text_field(form: QueryDict, name: str) -> str:
    text = params.value(form, name)
    if len(text) > FIELD_LIMITS[name]:
        raise ApiError(400, f"{name} may be at most {FIELD_LIMITS[name]} characters.")
    return text


def _attributes(form: QueryDict) -> dict[str, list[str]]:
    """attribute[code]=value, repeated (or attribute[code][]) for a multi-value list."""
    submitted: dict[str, list[str]] = {}
    for key, values in form.lists():
        if key.startswith("attribute[") and key.endswith("]"):
            code = key[len("attribute[") : -1].removesuffix("][")
            submitted.setdefault(code, []).extend(values)
    return submitted


def _create_request(request: HttpRequest, fmt: str) -> HttpResponse:
    """POST requests: 403 without a valid key; the answer carries service_request_id.

    The request is committed before we answer, so its id always exists: we never answer with
    a token (GeoReport's way of saying "not stored yet"). A retry with the same Idempotency-Key
    header (or idempotency_key field) from the same client gets the first request's id.
    """
    form = request.POST
    client = _api_client(form)
    wait = throttling.allow(
        scope="key",
        ident=str(client.pk),
        rate=client.throttle_rate or throttling.default_rate("key"),
    )
    if wait is not None:
        return _throttled(wait, fmt)

    service_code = params.value(form, "service_code")
    if not service_code:
        raise ApiError(400, "service_code is required.")
    service = selectors.service_accepting_feedback(service_code)
    if service is None:
        raise ApiError(400, f"Unknown service_code: {service_code}.")
    description = _text_field(form, "description")
    if not description:
        raise ApiError(400, "description is required.")
    lat = params.decimal_coordinate(form, "lat", 90)
    long = params.decimal_coordinate(form, "long", 180)
    if (lat is None) != (long is None):
        raise ApiError(400, "lat and long must be given together.")
    email = _text_field(form, "email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ApiError(400, "email is not a valid e-mail address.") from None
    media_url = _text_field(form, "media_url")
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise ApiError(400, "media_url must be an http or https URL.") from None
    kind = params.value(form, "kind") or ServiceRequest.Kind.SERVICE_REQUEST
    if kind not in ServiceRequest.Kind.values:
        raise ApiError(400, "kind must be one of " + ", ".join(ServiceRequest.Kind.values) + ".")
    header_key = request.headers.get("Idempotency-Key", "").strip()
    form_key = params.value(form, "idempotency_key")
    if max(len(header_key), len(form_key)) > MAX_IDEMPOTENCY_KEY_LENGTH:
        raise ApiError(400, "The idempotency key may be at most 200 characters.")
    idempotency_key = header_key or form_key

    try:
        attributes = services.clean_attributes(service, _attributes(form))
        media = _uploads(request)
        result = services.submit_request(
            service=service,
            kind=kind,
            description=description,
            title=_text_field(form, "title"),
            lat=lat,
            long=long,
            address_string=_text_field(form, "address_string"),
            address_id=_text_field(form, "address_id"),
            attributes=attributes,
            email=email,
            first_name=_text_field(form, "first_name"),
            last_name=_text_field(form, "last_name"),
            phone=_text_field(form, "phone"),
            device_id=_text_field(form, "device_id"),
            account_id=_text_field(form, "account_id"),
            service_object_id=_text_field(form, "service_object_id"),
            service_object_type=_text_field(form, "service_object_type"),
            media_urls=[media_url] if media_url else [],
            media=media,
            locale=params.locale_param(form) if params.value(form, "locale") else "",
            channel=ServiceRequest.Channel.API,
            api_client=client,
            jurisdiction_id=params.value(form, "jurisdiction_id"),
            idempotency_key=idempotency_key,
        )
    except services.SubmissionError as error:
        with translation.override(params.locale_param(form)):
            raise ApiError(400, f"{error.field}: {error.message}") from None
    stored = result.request
    data = [
        {
            "service_request_id": stored.service_request_id,
            "service_notice": stored.service_notice,
            "account_id": stored.account_id,
        }
    ]
    return render(data, fmt=fmt, xml_root="service_requests")


def _uploads(request: HttpRequest) -> list[services.MediaUpload]:
    """media[] files through the image checks (media.py); a bad image is a 400, not a 500.

    The description names the file and is in the request's `locale` (English by default, as
    every other description of this API), not in the site's default language."""
    if any(params.value(request.POST, name) for name in ("media[]", "media")):
        raise ApiError(400, "media[] must be sent as files (multipart/form-data).")
    files = request.FILES.getlist("media[]") + request.FILES.getlist("media")
    if len(files) > max_files():
        raise ApiError(400, f"At most {max_files()} media files per request.")
    uploads = []
    for upload in files:
        try:
            image = process_image(upload, name=upload.name or "")
        except ValidationError as error:
            with translation.override(params.locale_param(request.POST)):
                reason = " ".join(str(message) for message in error.messages)
            raise ApiError(400, f"media[] {upload.name!r}: {reason}") from None
        uploads.append(
            services.MediaUpload(
                file=image.as_file(),
                content_type=image.content_type,
                size=image.size,
                original_name=image.original_name,
                exif_kept=image.kept_location,
            )
        )
    return uploads
