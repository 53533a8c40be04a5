"""The public feedback form, as a resident uses it: pick a service, write, follow, add."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import ExifTags, Image

from luukku.catalogue import search
from luukku.catalogue.models import Service
from luukku.demo.services import load_demo_region
from luukku.intake.models import MediaAttachment, RequestEvent, ServiceRequest
from luukku.intake.services import merge_request, progress_request
from luukku.intake.signals import request_progressed
from luukku.intake.tests.factories import ServiceRequestFactory

pytestmark = pytest.mark.django_db

KAAVI = ("62.975000", "28.480000")
KUOPIO = ("62.892400", "27.677000")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def demo_region():
    load_demo_region()


@pytest.fixture
def searchable_demo_region(demo_region):
    search.rebuild_index()
    yield
    search.invalidate_vocabulary()


def write_url(service: str = "") -> str:
    return reverse("intake_public:write") + (f"?service={service}" if service else "")


def form_data(**overrides) -> dict:
    data = {
        "kind": "service_request",
        "service": "katujen-kunnossapito",
        "description": "Katuvalo ei pala Kauppakadulla.",
        "address": "",
        "latitude": "",
        "longitude": "",
        "token": uuid.uuid4().hex,
        "website": "",
    }
    data.update(overrides)
    return data


def post(client, **overrides):
    return client.post(reverse("intake_public:write"), form_data(**overrides))


def gps_photo() -> SimpleUploadedFile:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Phone Maker"
    exif[ExifTags.IFD.GPSInfo] = {
        ExifTags.GPS.GPSLatitudeRef: "N",
        ExifTags.GPS.GPSLatitude: (62.0, 53.0, 32.0),
        ExifTags.GPS.GPSLongitudeRef: "E",
        ExifTags.GPS.GPSLongitude: (27.0, 40.0, 37.0),
    }
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "red").save(buffer, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")


# Choosing the service


def test_searching_lists_services_that_take_feedback_with_a_link_to_the_form(
    client, searchable_demo_region
):
    Service.objects.filter(slug="maantiet").update(accepts_feedback=False)

    response = client.get(reverse("intake_public:start"), {"q": "auraus"})

    content = response.content.decode()
    assert write_url("katujen-kunnossapito") in content
    assert write_url("maantiet") not in content
    assert write_url("none") in content


def test_the_form_names_the_chosen_service(client, demo_region):
    response = client.get(write_url("katujen-kunnossapito"))

    assert response.status_code == 200
    assert "Katujen kunnossapito" in response.content.decode()


def test_without_a_service_the_form_says_customer_guidance_will_route_it(client, demo_region):
    response = client.get(write_url("none"))

    assert "Palvelu: ei valittu. Asiakasohjauksemme" in response.content.decode()


# Sending


def test_anonymous_feedback_is_stored_routed_and_gets_a_tracking_code(client, demo_region):
    response = post(client, latitude=KAAVI[0], longitude=KAAVI[1], address="Kaavintie 1")

    item = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("intake_public:status", args=[item.service_request_id])
    assert item.channel == ServiceRequest.Channel.WEB
    assert item.kind == "service_request"
    assert item.service is not None
    assert item.service.slug == "katujen-kunnossapito"
    assert item.lat == Decimal("62.975000")
    assert item.address_string == "Kaavintie 1"
    assert item.agency_responsible is not None
    assert item.agency_responsible.slug == "kaavin-kunta"
    assert item.email == ""
    page = client.get(response["Location"]).content.decode()
    message = page.split('class="message message--success">', 1)[1].split("</p>", 1)[0]
    assert item.service_request_id in message


def test_i_dont_know_goes_to_triage(client, demo_region):
    post(client, service="none", kind="question")

    item = ServiceRequest.objects.get()
    assert item.service is None
    assert item.agency_responsible is None
    assert item.kind == "question"


def test_a_double_click_stores_one_request(client, demo_region):
    data = form_data()
    first = client.post(reverse("intake_public:write"), data)
    second = client.post(reverse("intake_public:write"), data)

    assert ServiceRequest.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_filled_honeypot_stores_nothing(client, demo_region):
    response = post(client, website="http://spam.example")

    assert response.status_code == 400
    assert ServiceRequest.objects.count() == 0


def test_too_many_submissions_from_one_address_are_refused(client, demo_region, settings):
    settings.INTAKE_FORM_RATE = "2/3600"
    cache.clear()
    assert post(client).status_code == 302
    assert post(client).status_code == 302

    response = post(client)

    assert response.status_code == 429
    assert response.context["form"].non_field_errors()
    assert ServiceRequest.objects.count() == 2
    cache.clear()


def test_missing_description_is_reported_next_to_the_field(client, demo_region):
    response = post(client, description="")

    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="error-summary"' in content
    assert 'aria-invalid="true"' in content
    assert 'aria-describedby="id_description_error id_description_hint"' in content
    assert ServiceRequest.objects.count() == 0


def test_latitude_without_longitude_is_an_error(client, demo_region):
    response = post(client, latitude="62.9")

    assert response.status_code == 400
    assert "longitude" in response.context["form"].errors


def test_a_service_that_takes_no_feedback_cannot_be_posted_to(client, demo_region):
    Service.objects.filter(slug="maantiet").update(accepts_feedback=False)

    response = post(client, service="maantiet")

    assert response.status_code == 400
    assert ServiceRequest.objects.count() == 0


# Contact details and the confirmation


def test_contact_details_need_the_consent(client, demo_region):
    response = post(client, email="maija@example.fi")

    assert response.status_code == 400
    assert "consent" in response.context["form"].errors


def test_with_contact_details_a_confirmation_is_emailed_after_commit(
    client, demo_region, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(
            client,
            email="maija@example.fi",
            first_name="Maija",
            phone="040 123 4567",
            consent="on",
        )

    item = ServiceRequest.objects.get()
    assert item.email == "maija@example.fi"
    assert item.consent is True
    assert item.consent_text.startswith("Hyväksyn, että yhteystietojani käytetään")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maija@example.fi"]
    assert item.service_request_id in message.subject
    assert reverse("intake_public:status", args=[item.service_request_id]) in message.body
    assert "Katujen kunnossapito" in message.body


def test_the_confirmation_is_in_finnish_by_default(
    client, demo_region, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, email="maija@example.fi", consent="on")

    message = mail.outbox[0]
    assert message.subject.startswith("Palautteesi on vastaanotettu")
    assert "Seurantatunnus:" in message.body


def test_the_confirmation_is_in_the_language_of_the_form(
    client, demo_region, django_capture_on_commit_callbacks
):
    with translation.override("en"):
        url = reverse("intake_public:write")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form_data(email="maija@example.fi", consent="on"))

    assert ServiceRequest.objects.get().locale == "en"
    assert "Street maintenance" in mail.outbox[0].body
    assert "Tracking code:" in mail.outbox[0].body
    assert "/en/palaute/seuranta/" in mail.outbox[0].body


def test_a_mail_server_that_is_down_does_not_fail_the_stored_request(
    client, demo_region, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("luukku.intake.tasks.send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, email="maija@example.fi", consent="on")

    assert response.status_code == 302
    assert ServiceRequest.objects.count() == 1
    assert "Could not send the confirmation" in caplog.text


def test_anonymous_feedback_sends_no_email(client, demo_region, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client)

    assert mail.outbox == []


# Images


def test_an_image_is_stored_without_its_location(client, demo_region):
    data = form_data()
    data["images"] = [gps_photo()]

    client.post(reverse("intake_public:write"), data)

    attachment = MediaAttachment.objects.get()
    assert attachment.content_type == "image/jpeg"
    assert attachment.exif_kept is False
    assert attachment.original_name == "IMG_0001.jpg"
    assert "IMG_0001" not in str(attachment.file.name)
    with attachment.file.open("rb") as stored:
        image = Image.open(stored)
        assert image.getexif().get_ifd(ExifTags.IFD.GPSInfo) == {}


def test_the_location_is_kept_when_the_customer_asks(client, demo_region):
    data = form_data(keep_location="on")
    data["images"] = [gps_photo()]

    client.post(reverse("intake_public:write"), data)

    attachment = MediaAttachment.objects.get()
    assert attachment.exif_kept is True
    with attachment.file.open("rb") as stored:
        gps = Image.open(stored).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert gps[ExifTags.GPS.GPSLatitudeRef] == "N"


def test_a_file_that_is_not_an_image_is_a_field_error(client, demo_region):
    data = form_data()
    data["images"] = [SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not an image", "image/jpeg")]

    response = client.post(reverse("intake_public:write"), data)

    assert response.status_code == 400
    errors = response.context["form"].errors["images"]
    assert "photo.jpg" in errors[0]
    assert "ei ole kuva" in errors[0]
    assert ServiceRequest.objects.count() == 0


def test_too_many_images_are_refused(client, demo_region, settings):
    settings.INTAKE_MEDIA_MAX_FILES = 1
    data = form_data()
    data["images"] = [gps_photo(), gps_photo()]

    response = client.post(reverse("intake_public:write"), data)

    assert response.status_code == 400
    assert "images" in response.context["form"].errors


# Likely duplicates


def existing_request(*, lat: str, long: str, **kwargs):
    return ServiceRequestFactory(
        service=Service.objects.get(slug="katujen-kunnossapito"),
        lat=Decimal(lat),
        long=Decimal(long),
        **kwargs,
    )


def test_an_open_report_nearby_is_offered_before_anything_is_stored(client, demo_region):
    # About 50 m north of the new report.
    nearby = existing_request(lat="62.892850", long=KUOPIO[1])

    response = post(client, latitude=KUOPIO[0], longitude=KUOPIO[1])

    assert response.status_code == 200
    assert ServiceRequest.objects.count() == 1
    content = response.content.decode()
    assert reverse("intake_public:status", args=[nearby.service_request_id]) in content
    assert response.context["form"]["confirm_new"].value() == "True"


def test_sending_again_after_the_offer_stores_a_new_report(client, demo_region):
    existing_request(lat="62.892850", long=KUOPIO[1])
    data = form_data(latitude=KUOPIO[0], longitude=KUOPIO[1])
    client.post(reverse("intake_public:write"), data)

    response = client.post(reverse("intake_public:write"), {**data, "confirm_new": "True"})

    assert response.status_code == 302
    assert ServiceRequest.objects.count() == 2


@pytest.mark.parametrize(
    ("lat", "status", "same_service"),
    [
        ("62.896000", ServiceRequest.Status.OPEN, True),  # about 400 m away
        ("62.892850", ServiceRequest.Status.CLOSED, True),  # closed
        ("62.892850", ServiceRequest.Status.OPEN, False),  # another service
    ],
)
def test_far_closed_or_other_service_reports_are_not_offered(
    client, demo_region, lat, status, same_service
):
    service = Service.objects.get(slug="katujen-kunnossapito" if same_service else "vesihuolto")
    ServiceRequestFactory(service=service, lat=Decimal(lat), long=Decimal(KUOPIO[1]), status=status)

    response = post(client, latitude=KUOPIO[0], longitude=KUOPIO[1])

    assert response.status_code == 302
    assert ServiceRequest.objects.count() == 2


# Following and adding


def test_the_status_page_shows_history_and_reply_but_no_contact_details(client, demo_region):
    item = existing_request(
        lat=KUOPIO[0],
        long=KUOPIO[1],
        description="Valo rikki, soita 040 123 4567 tai maija@example.fi",
        email="maija@example.fi",
        first_name="Maija",
        last_name="Meikäläinen",
        phone="0401234567",
    )
    progress_request(
        request=item,
        detailed_status=ServiceRequest.DetailedStatus.DONE,
        note="Lamppu vaihdettu. Asentaja 044 765 4321.",
        handler="Kuopion kaupunkiympäristö",
        status_notes="Korjattu. Lisätietoja 017 182 111.",
    )

    response = client.get(reverse("intake_public:status", args=[item.service_request_id]))

    content = response.content.decode()
    assert response.status_code == 200
    assert item.service_request_id in content
    assert "Lamppu vaihdettu." in content
    assert "Kuopion kaupunkiympäristö" in content
    assert "Korjattu." in content
    private_details = (
        "maija@example.fi",
        "Maija",
        "Meikäläinen",
        "040 123 4567",
        "017 182 111",
        "044 765 4321",
    )
    for private in private_details:
        assert private not in content


def test_a_hidden_request_shows_its_status_but_not_its_text(client, demo_region):
    item = existing_request(
        lat=KUOPIO[0],
        long=KUOPIO[1],
        description="Loukkaava teksti",
        moderation=ServiceRequest.Moderation.HIDDEN,
    )

    content = client.get(reverse("intake_public:status", args=[item.service_request_id]))

    assert "Loukkaava teksti" not in content.content.decode()


def test_not_fixed_reopens_a_closed_request_and_reaches_its_owner(
    client, demo_region, django_capture_on_commit_callbacks
):
    item = existing_request(lat=KUOPIO[0], long=KUOPIO[1])
    progress_request(request=item, detailed_status=ServiceRequest.DetailedStatus.DONE)
    told = []
    request_progressed.connect(
        lambda sender, request, event, **kwargs: told.append((request.pk, event.state)),
        weak=False,
        dispatch_uid="test-told",
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("intake_public:status", args=[item.service_request_id]),
                {"text": "Valo ei vieläkään pala."},
            )
    finally:
        request_progressed.disconnect(dispatch_uid="test-told")

    item.refresh_from_db()
    assert response.status_code == 302
    assert item.status == ServiceRequest.Status.OPEN
    assert [event.state for event in item.events.all()][-1] == RequestEvent.State.REOPENED
    assert "Valo ei vieläkään pala." in item.description
    assert (item.pk, RequestEvent.State.REOPENED) in told


def test_adding_to_an_open_request_keeps_it_open_and_logs_it(client, demo_region):
    item = existing_request(lat=KUOPIO[0], long=KUOPIO[1])

    client.post(
        reverse("intake_public:status", args=[item.service_request_id]),
        {"text": "Myös viereinen valo on pimeänä."},
    )

    item.refresh_from_db()
    assert item.status == ServiceRequest.Status.OPEN
    assert item.events.count() == 2
    assert "viereinen valo" in item.description


def test_an_empty_addition_is_an_error(client, demo_region):
    item = existing_request(lat=KUOPIO[0], long=KUOPIO[1])

    response = client.post(
        reverse("intake_public:status", args=[item.service_request_id]), {"text": ""}
    )

    assert response.status_code == 400
    assert item.events.count() == 1


def test_a_merged_request_points_to_the_surviving_one(client, demo_region):
    survivor = existing_request(lat=KUOPIO[0], long=KUOPIO[1])
    duplicate = existing_request(lat=KUOPIO[0], long=KUOPIO[1])
    merge_request(duplicate=duplicate, survivor=survivor)
    url = reverse("intake_public:status", args=[duplicate.service_request_id])

    content = client.get(url).content.decode()
    client.post(url, {"text": "Lisäys"})

    assert reverse("intake_public:status", args=[survivor.service_request_id]) in content
    duplicate.refresh_from_db()
    assert "Lisäys" not in duplicate.description


def test_a_tracking_code_finds_the_request(client, demo_region):
    item = existing_request(lat=KUOPIO[0], long=KUOPIO[1])

    found = client.get(reverse("intake_public:find"), {"code": item.service_request_id.lower()})
    missing = client.get(reverse("intake_public:find"), {"code": "000000-XXXXXX"})

    assert found["Location"] == reverse("intake_public:status", args=[item.service_request_id])
    assert missing.status_code == 200
    assert "000000-XXXXXX" in missing.content.decode()


def test_an_unknown_tracking_code_page_is_not_found(client, demo_region):
    response = client.get(reverse("intake_public:status", args=["000000-XXXXXX"]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("language", "heading", "kind"),
    [
        ("fi", "Kirjoita palautteesi", "Kiitos"),
        ("sv", "Skriv din respons", "Beröm"),
        ("en", "Write your feedback", "Praise"),
    ],
)
def test_the_form_speaks_the_language_of_its_address(client, demo_region, language, heading, kind):
    with translation.override(language):
        url = write_url("none")

    content = client.get(url).content.decode()

    assert f"<h1>{heading}</h1>" in content
    assert f'> <label for="id_kind_0">{kind}</label>' in content
