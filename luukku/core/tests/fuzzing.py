"""What the OpenAPI fuzz test (test_openapi_fuzz.py) and bench/fuzz_api.py share: the seed data
that valid calls find, and how a generated case is given credentials and pointed at that data.

The test runs the cases through the WSGI app, the bench against the production server; both
must seed and treat cases alike, or a failure one finds cannot be reproduced by the other.
This module imports no Django model at import time, so the bench (which runs outside Django and
seeds through `manage.py shell`) can use `prepare_case` and `png_bytes` directly.
"""

from __future__ import annotations

import io
import zlib
from decimal import Decimal
from typing import Any

from PIL import Image

SURVEY_ID = "0b8f3c1e-5d2a-4c7b-9e6f-1a2b3c4d5e6f"
SERVICE_CODE = "varhaiskasvatus"
SERVICE_SLUG = "rakennuslupa"


def png_bytes() -> bytes:
    """A real 8×8 PNG, so that some Open311 uploads get past the media checks."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def filled(value: object) -> bool:
    """Whether a generated value is a non-blank string (one a valid case may carry)."""
    return isinstance(value, str) and bool(value.strip())


def prepare_case(
    case: Any, *, key: str, session: str, service_code: str = SERVICE_CODE
) -> dict[str, Any]:
    """Point a case at real data and give it credentials, or none, by a hash of the case.

    The same case always gets the same treatment, each of none / API key / staff session about
    a third. Only values already valid by the document are replaced, and real data (a known
    service, a PNG, the seeded survey) only in valid cases, so that an invalid case stays
    invalid and must still be refused. Returns extra keyword arguments for `case.call`.
    """
    choice = zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode()) % 3
    positive = case.meta is None or case.meta.generation.mode.is_positive
    headers = dict(case.headers or {})
    headers.pop("X-Api-Key", None)
    kwargs: dict[str, Any] = {}
    body = case.body
    if isinstance(body, dict) and filled(body.get("api_key")) and choice:
        body["api_key"] = key
        if positive and choice == 1:
            if filled(body.get("service_code")):
                body["service_code"] = service_code
            if "media[]" in body:
                body["media[]"] = [png_bytes()]
    if choice == 1:
        headers["X-Api-Key"] = key
    elif choice == 2:
        kwargs["cookies"] = {"sessionid": session}
    if positive and choice and case.path_parameters:
        if "public_id" in case.path_parameters:
            case.path_parameters["public_id"] = SURVEY_ID
        if "slug" in case.path_parameters and choice == 1:
            case.path_parameters["slug"] = SERVICE_SLUG
    case.headers = headers
    return kwargs


def seed_fuzz_data(*, key: str, with_router: bool) -> str:
    """Services, a trained router (when asked: training takes seconds), a request, a survey
    and an organisation's API key `key`, so that valid calls find real rows. Returns the
    session cookie of a staff member who routes."""
    # Django's models and the factories need a configured Django: imported here, not above.
    from django.test import Client  # noqa: PLC0415

    from luukku.accounts.roles import Role  # noqa: PLC0415
    from luukku.accounts.tests.factories import user_with_role  # noqa: PLC0415
    from luukku.catalogue.tests.factories import OrganisationFactory  # noqa: PLC0415
    from luukku.intake.models import ApiClient, ServiceAttribute, hash_api_key  # noqa: PLC0415
    from luukku.intake.tests.factories import (  # noqa: PLC0415
        ServiceAttributeFactory,
        ServiceRequestFactory,
    )
    from luukku.router import training  # noqa: PLC0415
    from luukku.router.tests.factories import create_small_catalogue  # noqa: PLC0415
    from luukku.surveys.tests.factories import TouchpointFactory, standard_survey  # noqa: PLC0415

    catalogue = create_small_catalogue()
    if with_router:
        training.store(training.train(cross_validation=False))
    service = catalogue[SERVICE_CODE]
    ServiceAttributeFactory.create(
        service=service,
        code="vika",
        datatype=ServiceAttribute.Datatype.SINGLE_VALUE_LIST,
        values=[{"key": "dark", "name": "Pimeä"}],
    )
    ServiceRequestFactory.create(
        service=service,
        lat=Decimal("62.89"),
        long=Decimal("27.67"),
        title="Valo",
        media_urls=["https://example.fi/a.jpg"],
    )
    ApiClient.objects.create(
        name="fuzz",
        key_hash=hash_api_key(key),
        key_prefix=key[:8],
        organisation=OrganisationFactory.create(),
    )
    TouchpointFactory.create(survey=standard_survey(public_id=SURVEY_ID), code="fuzz-link")
    browser = Client()
    browser.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT))
    return str(browser.cookies["sessionid"].value)
