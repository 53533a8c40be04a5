"""The accessibility statement carries what Act 306/2019 § 16 asks for, in every language."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation


@pytest.mark.parametrize(
    ("language", "heading", "status", "authority", "days"),
    [
        (
            "fi",
            "Saavutettavuusseloste",
            "osittain",
            "Lupa- ja valvontavirasto (LVV)",
            "14 päivän kuluessa",
        ),
        (
            "sv",
            "Tillgänglighetsutlåtande",
            "delvis",
            "Tillstånds- och tillsynsverket",
            "inom 14 dagar",
        ),
        (
            "en",
            "Accessibility statement",
            "partially",
            "Finnish Permit and Supervisory Agency",
            "within 14 days",
        ),
    ],
)
def test_statement_has_the_contents_the_law_requires(
    client, db, language, heading, status, authority, days
):
    with translation.override(language):
        path = reverse("accessibility:statement")
        feedback_path = reverse("accessibility:feedback")

    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert status in html  # compliance status
    assert 'id="non-accessible"' in html  # known non-accessible content
    assert 'id="how-made"' in html
    assert "axe-core" in html
    assert "25.11.2026" in html  # when
    assert f'href="{feedback_path}"' in html  # the feedback route
    assert days in html  # the answer time
    assert authority in html
    assert 'href="https://www.saavutettavuusvaatimukset.fi/"' in html
    assert "Etelä-Suomen aluehallintovirasto" in html or "Södra Finland" in html


@pytest.mark.parametrize("page", ["/", "/sv/haku/", "/en/elamantilanteet/"])
def test_every_page_links_the_statement_and_the_feedback_form(client, db, page):
    prefix = page[:4] if page.startswith(("/sv/", "/en/")) else "/"

    html = client.get(page).content.decode()

    assert f'href="{prefix}saavutettavuus/"' in html
    assert f'href="{prefix}saavutettavuus/palaute/?next={page}"' in html
