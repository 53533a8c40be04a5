"""What analysis may read of an open answer: no identity codes, phones, e-mails or names."""

from __future__ import annotations

import pytest

from luukku.insights.scrubbing import PLACEHOLDER_RE, scrub


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hei Matti,\nsoitin numeroon 040 123 4567, hetu 131052-308T.\n"
            "Ystävällisin terveisin\nMaija Virtanen",
            "Hei [nimi],\nsoitin numeroon [puhelin], hetu [henkilötunnus].\n"
            "Ystävällisin terveisin\n[nimi]",
        ),
        ("Soittakaa +358 (0)40 765 4321 tai (017) 182 111.", "Soittakaa [puhelin] tai [puhelin]."),
        (
            "Vastaus osoitteeseen matti.m(at)kuopio.fi, kiitos.",
            "Vastaus osoitteeseen [sähköposti], kiitos.",
        ),
        ("Palvelu oli hidasta.\nt. Pekka", "Palvelu oli hidasta.\nt. [nimi]"),
        ("Hyvää palvelua.\nMatti V.", "Hyvää palvelua.\n[nimi]"),
        ("Nimeni on Liisa Korhonen ja asun Iisalmessa.", "Nimeni on [nimi] ja asun Iisalmessa."),
        ("- Pekka", "- [nimi]"),
    ],
)
def test_finnish_personal_data_is_replaced_and_the_rest_kept(text: str, expected: str) -> None:
    assert scrub(text, "fi") == expected


def test_a_closing_after_a_closing_word_is_not_taken_for_a_name() -> None:
    assert scrub("Call me, thanks.\nRegards,\nDavid Johnson", "en") == (
        "Call me, thanks.\nRegards,\n[name]"
    )


def test_placeholders_follow_the_language_of_the_text() -> None:
    assert scrub("Ring mig på 044 987 6543.\nMed vänlig hälsning\nErik Johansson", "sv") == (
        "Ring mig på [telefon].\nMed vänlig hälsning\n[namn]"
    )
    assert scrub("Email john.smith@example.com\nBest regards, John Smith", "en") == (
        "Email [email]\nBest regards, [name]"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Kävin 12.3.2024 klo 14.30 ja odotin 01.02.2024 asti.",
        "Maksoin 45,50 € ja toisella kertaa 1 200 €.",
        "Osoite on Kauppakatu 40, 70100 Kuopio.",
        "Asia KUO-2024-0012345, Dnro 0123/2024, Y-tunnus 1234567-8.",
        "Kiitos!\nPalvelu oli hyvä.",
        "Hei, jonotin 45 minuuttia.\nKiitos",
    ],
)
def test_dates_prices_postal_codes_and_references_stay(text: str) -> None:
    assert scrub(text, "fi") == text


def test_themes_can_recognise_every_placeholder() -> None:
    scrubbed = scrub("Hei Matti, 040 123 4567, a@b.fi, 131052-308T", "fi")
    assert len(PLACEHOLDER_RE.findall(scrubbed)) == 4
