"""Hostile uploads through both doors: the Open311 API's media[] and the public feedback form.

Each bad file is refused with a message that says what is wrong (the API: 400 with the 6Aika
error list; the form: next to the image field, in the page's language) and nothing is kept:
no request row, no attachment, no file under MEDIA_ROOT, no notification queued.

The decided rule for names and types (media.py): the content decides, never the file name or
the declared content type. A real PNG named .exe is accepted and stored as .png; a real JPEG
named .png is stored as .jpg; anything Pillow does not read as JPEG, PNG or WebP is refused,
whatever its name says. test_media.py checks process_image() itself; this module checks what
the two doors do with its verdicts.
"""

from __future__ import annotations

import io
import struct
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from luukku.catalogue.models import Service
from luukku.catalogue.tests.factories import ServiceFactory
from luukku.intake.models import MediaAttachment, ServiceRequest
from luukku.intake.tests.factories import ApiClientFactory, raw_key_of
from luukku.notifications.models import Notification

pytestmark = pytest.mark.django_db

OPEN311 = "/open311/v2/requests.json"
FORM = "/palaute/uusi/"


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (16, 12)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, format=image_format)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header says it is `width`×`height`: a decompression bomb."""
    data = bytearray(image_bytes("PNG", (1, 1)))
    # The IHDR chunk starts at byte 8: length (4), type (4), width, height, 5 more bytes, CRC.
    ihdr = bytes(data[12:16]) + struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(ihdr))
    return bytes(data)


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>alert(document.cookie)</script><rect width='10' height='10'/></svg>"
)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
SHELL = b"#!/bin/sh\nrm -rf / --no-preserve-root\n"

# name, content, what the refusal must say (Finnish, the form's default language; the API's
# descriptions are in English).
HOSTILE: dict[str, tuple[str, Callable[[], bytes], str, str]] = {
    "pdf named .jpg": ("lasku.jpg", lambda: PDF, "ei ole kuva", "not an image"),
    "shell script named .jpg": ("kuva.jpg", lambda: SHELL, "ei ole kuva", "not an image"),
    "svg with a script": ("kuva.svg", lambda: SVG_WITH_SCRIPT, "ei ole kuva", "not an image"),
    "svg named .png": ("kuva.png", lambda: SVG_WITH_SCRIPT, "ei ole kuva", "not an image"),
    "a gif": ("kuva.gif", lambda: image_bytes("GIF"), "GIF", "Only JPEG, PNG and WebP"),
    "decompression bomb": (
        "pommi.png",
        lambda: png_claiming(50_000, 50_000),
        "megapiksel",
        "megapixels",
    ),
    "truncated image": (
        "katkennut.png",
        lambda: image_bytes("PNG", (200, 200))[:-60],
        "vioittunut",
        "damaged or incomplete",
    ),
    "truncated jpeg": (
        "katkennut.jpg",
        lambda: image_bytes("JPEG", (300, 300))[:400],
        "vioittunut",
        "damaged or incomplete",
    ),
}


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def service() -> Service:
    return ServiceFactory.create(slug="katuvalot", accepts_feedback=True)


def stored_files(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()]


def assert_nothing_stored(media_root: Path) -> None:
    assert ServiceRequest.objects.count() == 0
    assert MediaAttachment.objects.count() == 0
    assert stored_files(media_root) == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def post_api(client: Client, files: list[SimpleUploadedFile], **extra: str) -> Any:
    key = raw_key_of(ApiClientFactory.create())
    return client.post(
        OPEN311,
        {
            **extra,
            "api_key": key,
            "service_code": "katuvalot",
            "description": "Katuvalo ei pala.",
            "email": "asukas@example.fi",
            "media[]": files,
        },
    )


def post_form(client: Client, files: list[SimpleUploadedFile], language: str = "") -> Any:
    prefix = f"/{language}" if language else ""
    return client.post(
        prefix + FORM,
        {
            "kind": "service_request",
            "service": "katuvalot",
            "description": "Katuvalo ei pala Kauppakadulla.",
            "email": "asukas@example.fi",
            "consent": "on",
            "token": uuid.uuid4().hex,
            "website": "",
            "images": files,
        },
    )


def api_description(response: Any) -> str:
    """The 6Aika error format: a list of {code, description}; one error here."""
    assert response.status_code == 400, response.content
    errors = response.json()
    assert isinstance(errors, list)
    assert len(errors) == 1
    assert errors[0]["code"] == 400
    return str(errors[0]["description"])


def form_image_errors(response: Any) -> list[str]:
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["images"], errors
    return [str(message) for message in errors["images"]]


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_api_refuses_a_hostile_file_and_stores_nothing(
    client: Client, service: Service, media_root: Path, case: str
) -> None:
    name, content, _, english = HOSTILE[case]

    response = post_api(client, [SimpleUploadedFile(name, content(), "image/jpeg")])

    description = api_description(response)
    assert description.startswith(f"media[] {name!r}: ")
    assert english in description
    assert_nothing_stored(media_root)


@pytest.mark.parametrize("case", list(HOSTILE))
def test_the_form_refuses_a_hostile_file_next_to_the_field_and_stores_nothing(
    client: Client, service: Service, media_root: Path, case: str
) -> None:
    name, content, finnish, _ = HOSTILE[case]

    response = post_form(client, [SimpleUploadedFile(name, content(), "image/jpeg")])

    errors = form_image_errors(response)
    assert len(errors) == 1
    assert errors[0].startswith(f"{name}: ")
    assert finnish in errors[0]
    assert finnish in response.content.decode()
    assert_nothing_stored(media_root)


def test_the_form_speaks_the_users_language_about_a_bad_file(
    client: Client, service: Service, media_root: Path
) -> None:
    response = post_form(client, [SimpleUploadedFile("lasku.jpg", PDF, "image/jpeg")], "en")

    assert form_image_errors(response) == [
        "lasku.jpg: The file is not an image. Only JPEG, PNG and WebP images are accepted."
    ]
    assert_nothing_stored(media_root)


def test_the_api_describes_a_bad_file_in_the_requests_locale(
    client: Client, service: Service, media_root: Path
) -> None:
    """Found here: media errors came in Finnish whatever `locale` said, while every other
    description of the API is in English unless the client asks otherwise."""
    upload = SimpleUploadedFile("lasku.jpg", PDF, "image/jpeg")

    description = api_description(post_api(client, [upload], locale="fi_FI"))

    assert description == (
        "media[] 'lasku.jpg': Tiedosto ei ole kuva. Vain JPEG-, PNG- ja WebP-kuvat hyväksytään."
    )
    assert_nothing_stored(media_root)


def test_one_bad_file_among_good_ones_refuses_the_whole_submission(
    client: Client, service: Service, media_root: Path
) -> None:
    files = [
        SimpleUploadedFile("hyva.jpg", image_bytes("JPEG"), "image/jpeg"),
        SimpleUploadedFile("paha.png", SVG_WITH_SCRIPT, "image/png"),
    ]

    assert "not an image" in api_description(post_api(client, files))
    for upload in files:
        upload.seek(0)
    errors = form_image_errors(post_form(client, files))

    assert errors == ["paha.png: Tiedosto ei ole kuva. Vain JPEG-, PNG- ja WebP-kuvat hyväksytään."]
    assert_nothing_stored(media_root)


@pytest.mark.parametrize("door", ["api", "form"])
def test_a_file_over_the_byte_limit_is_refused(
    client: Client, service: Service, media_root: Path, settings: Any, door: str
) -> None:
    settings.INTAKE_MEDIA_MAX_BYTES = 2 * 1024 * 1024
    # A real image, so that only its size is wrong: noise does not compress.
    big = Image.frombytes("RGB", (1200, 800), bytes(range(256)) * 11250)
    buffer = io.BytesIO()
    big.save(buffer, format="PNG")
    content = buffer.getvalue() + b"\0" * (2 * 1024 * 1024)
    upload = SimpleUploadedFile("iso.png", content, "image/png")

    if door == "api":
        description = api_description(post_api(client, [upload]))
        assert "too large" in description
        assert "2 MB" in description
    else:
        [error] = form_image_errors(post_form(client, [upload]))
        assert error == "iso.png: Tiedosto on liian suuri: suurin hyväksytty kuva on 2 Mt."
    assert_nothing_stored(media_root)


@pytest.mark.parametrize("door", ["api", "form"])
def test_too_many_files_are_refused(
    client: Client, service: Service, media_root: Path, settings: Any, door: str
) -> None:
    settings.INTAKE_MEDIA_MAX_FILES = 2
    files = [
        SimpleUploadedFile(f"kuva{number}.jpg", image_bytes("JPEG"), "image/jpeg")
        for number in range(3)
    ]

    if door == "api":
        assert api_description(post_api(client, files)) == "At most 2 media files per request."
    else:
        assert form_image_errors(post_form(client, files)) == ["Liitä enintään 2 kuvaa."]
    assert_nothing_stored(media_root)


@pytest.mark.parametrize("door", ["api", "form"])
def test_a_zero_byte_file_is_refused(
    client: Client, service: Service, media_root: Path, door: str
) -> None:
    upload = SimpleUploadedFile("tyhja.jpg", b"", "image/jpeg")

    if door == "api":
        assert "empty" in api_description(post_api(client, [upload]))
    else:
        [error] = form_image_errors(post_form(client, [upload]))
        assert "tyhjä" in error
    assert_nothing_stored(media_root)


# Wrong extensions: the content decides, and the stored name carries the sniffed extension.


@pytest.mark.parametrize(
    ("name", "image_format", "stored_type", "stored_extension"),
    [
        ("kuva.exe", "PNG", "image/png", ".png"),
        ("kuva.png", "JPEG", "image/jpeg", ".jpg"),
        ("kuva", "WEBP", "image/webp", ".webp"),
    ],
)
@pytest.mark.parametrize("door", ["api", "form"])
def test_a_real_image_with_a_wrong_name_is_stored_by_its_content(
    client: Client,
    service: Service,
    media_root: Path,
    door: str,
    name: str,
    image_format: str,
    stored_type: str,
    stored_extension: str,
) -> None:
    upload = SimpleUploadedFile(name, image_bytes(image_format), "application/octet-stream")

    response = post_api(client, [upload]) if door == "api" else post_form(client, [upload])

    assert response.status_code in (200, 302), response.content
    attachment = MediaAttachment.objects.get()
    assert attachment.content_type == stored_type
    assert attachment.original_name == name
    [stored] = stored_files(media_root)
    assert stored.suffix == stored_extension
    assert Image.open(stored).format == image_format
