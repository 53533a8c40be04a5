"""Publicly shown free text never carries a phone number, an e-mail address or an identity code."""

from __future__ import annotations

import pytest

from luukku.core.masking import (
    EMAIL_MASK,
    IDENTITY_CODE_MASK,
    PHONE_MASK,
    mask_personal_data,
)


@pytest.mark.parametrize(
    "number",
    [
        "+358 40 123 4567",
        "+358401234567",
        "040-1234567",
        "040 123 4567",
        "09 310 1691",
        "(09) 310 1691",
        "+358931039000",
        "0031 20 555 1234",
    ],
)
def test_phone_numbers_are_masked(number):
    masked = mask_personal_data(f"Soittakaa numeroon {number}, kiitos.")
    assert masked == f"Soittakaa numeroon {PHONE_MASK}, kiitos."


@pytest.mark.parametrize(
    "text",
    [
        "Mellunmäenraitio 6, 00970 Helsinki",
        "Havaittu 2015-11-03 klo 08:20.",
        "Pylväs numero 12, talo 145.",
        "Hinta 1 500 euroa",
        "Tunnus 261125-7K3QXM",
    ],
)
def test_addresses_dates_and_small_numbers_stay_readable(text):
    assert mask_personal_data(text) == text


def test_email_addresses_are_masked():
    text = "Vastaus osoitteeseen matti.meikalainen+palaute@example.fi tai a@b.co."
    assert mask_personal_data(text) == f"Vastaus osoitteeseen {EMAIL_MASK} tai {EMAIL_MASK}."


@pytest.mark.parametrize("code", ["131052-308T", "010594Y9032", "020505A1234"])
def test_identity_codes_are_masked_entirely(code):
    masked = mask_personal_data(f"Hetuni on {code}.")
    assert masked == f"Hetuni on {IDENTITY_CODE_MASK}."
    assert code[:6] not in masked


def test_everything_in_one_text():
    text = "Olen 131052-308T, p. 040 123 4567, matti@example.fi"
    masked = mask_personal_data(text)
    assert "308T" not in masked
    assert "4567" not in masked
    assert "example.fi" not in masked


def test_empty_text():
    assert mask_personal_data("") == ""
