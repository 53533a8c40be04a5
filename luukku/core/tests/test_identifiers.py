"""Finnish identity codes and business IDs: real examples, including the 2023 century signs."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from luukku.core.identifiers import (
    business_id_check_digit,
    mask_identity_code,
    mask_identity_codes_in,
    validate_business_id,
    validate_identity_code,
)

# DVV's published examples: 131052-308T is the classic one; the others are from DVV's notice of
# the new century signs in use since 1 January 2023 (Y X W V U for the 1900s, B C D E F for 2000s).
VALID_IDENTITY_CODES = [
    "131052-308T",
    "010594Y9021",
    "020594X903P",
    "030594W903B",
    "040594V9030",
    "050594U903M",
    "020504A902E",
    "010516B903X",
    "020516C903K",
    "030516D9037",
    "010501E9032",
    "020503F9037",
    # 1800s: check characters computed with DVV's formula (the nine digits modulo 31).
    "150399+123L",
    "010100+002H",
    # 29 February 2000 existed (2000 was a leap year).
    "290200A2457",
]


@pytest.mark.parametrize("code", VALID_IDENTITY_CODES)
def test_real_identity_codes_are_accepted(code: str) -> None:
    assert validate_identity_code(code) == code


def test_identity_code_is_normalised_to_upper_case_and_trimmed() -> None:
    assert validate_identity_code("  010516b903x ") == "010516B903X"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("131052-308U", "checksum"),  # one check character off
        ("131052-309T", "checksum"),  # one digit of the individual number off
        ("010594Z9021", "format"),  # Z is not a century sign
        ("010594G9021", "format"),  # neither is G (between F and U)
        ("131052308T", "format"),  # century sign missing
        ("131052-308", "format"),  # check character missing
        ("320152-308T", "date"),  # 32 January
        ("290200-2457", "date"),  # 29 February 1900 did not exist
        ("131052-001A", "individual"),  # individual numbers start from 002
    ],
)
def test_invalid_identity_codes_are_refused_with_the_reason(code: str, reason: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_identity_code(code)
    assert excinfo.value.code == reason


def test_the_same_digits_with_another_century_sign_of_the_same_century_stay_valid() -> None:
    # The check character does not depend on the sign, so '-' and 'Y' codes share it.
    assert validate_identity_code("010594-9021") == "010594-9021"
    assert validate_identity_code("010594Y9021") == "010594Y9021"


def test_mask_identity_code_shows_only_the_birth_date() -> None:
    assert mask_identity_code("131052-308T") == "131052*****"


@pytest.mark.parametrize("code", VALID_IDENTITY_CODES)
def test_every_identity_code_in_free_text_is_masked(code: str) -> None:
    text = f"Asiakas {code} soitti; toinen: {code.lower()}."
    masked = mask_identity_codes_in(text)
    assert code not in masked
    assert code.lower() not in masked
    assert masked == f"Asiakas {code[:6]}***** soitti; toinen: {code[:6]}*****."


def test_free_text_masking_leaves_other_numbers_alone() -> None:
    text = "Puhelin 040-1234567, Y-tunnus 0112038-9, tilaus 1310523089T, päivä 2026-11-25"
    assert mask_identity_codes_in(text) == text


# Real business IDs: Nokia Oyj, Kela, Kuopion kaupunki, Verohallinto, Digi- ja väestötietovirasto.
VALID_BUSINESS_IDS = ["0112038-9", "0246246-0", "0171450-7", "0245458-3", "0245437-2"]


@pytest.mark.parametrize("business_id", VALID_BUSINESS_IDS)
def test_real_business_ids_are_accepted(business_id: str) -> None:
    assert validate_business_id(business_id) == business_id


def test_old_six_digit_business_id_gets_its_leading_zero() -> None:
    assert validate_business_id("112038-9") == "0112038-9"


@pytest.mark.parametrize(
    ("business_id", "reason"),
    [
        ("0112038-8", "checksum"),
        ("0246246-1", "checksum"),
        ("01120389", "format"),
        ("0112038-", "format"),
        ("FI01120389", "format"),
    ],
)
def test_invalid_business_ids_are_refused_with_the_reason(business_id: str, reason: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_business_id(business_id)
    assert excinfo.value.code == reason


def test_a_remainder_of_one_has_no_valid_check_digit() -> None:
    # 0000006: 6 × 2 = 12, 12 mod 11 = 1, so no business ID starts with these seven digits.
    assert business_id_check_digit("0000006") is None
    for digit in range(10):
        with pytest.raises(ValidationError):
            validate_business_id(f"0000006-{digit}")
