"""Finnish identifiers: personal identity code (henkilötunnus) and business ID (Y-tunnus).

A personal identity code is never shown in full nor logged: callers show `mask_identity_code`.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_HETU_CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
_CENTURY = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}
_HETU_RE = re.compile(r"^(\d{2})(\d{2})(\d{2})([-+A-FU-Y])(\d{3})([0-9A-Y])$")
# In free text: the same shape, bounded so that longer digit runs do not match.
_HETU_IN_TEXT_RE = re.compile(
    r"(?<![0-9A-Za-z])(\d{6})[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y](?![0-9A-Za-z])"
)
_BUSINESS_ID_RE = re.compile(r"^(\d{7})-(\d)$")
_BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def validate_identity_code(value: str) -> str:
    """Return the normalised (upper-case) code, or raise ValidationError saying what is wrong."""
    code = value.strip().upper()
    match = _HETU_RE.match(code)
    if not match:
        raise ValidationError(
            _("A personal identity code has the form DDMMYYCZZZQ, for example 131052-308T."),
            code="format",
        )
    day, month, year, century, individual, check = match.groups()
    try:
        date(_CENTURY[century] + int(year), int(month), int(day))
    except ValueError:
        raise ValidationError(
            _("The date in the personal identity code does not exist."), code="date"
        ) from None
    if int(individual) < 2:
        raise ValidationError(_("The individual number must be 002–999."), code="individual")
    expected = _HETU_CHECK_CHARS[int(day + month + year + individual) % 31]
    if check != expected:
        raise ValidationError(
            _("The check character of the personal identity code is wrong."), code="checksum"
        )
    return code


def mask_identity_code(value: str) -> str:
    """Show only the birth date part: 131052-308T → 131052*****."""
    code = value.strip()
    return code[:6] + "*" * max(len(code) - 6, 0)


def mask_identity_codes_in(text: str) -> str:
    """Mask every identity-code-shaped string in free text (logs, audit purposes)."""
    return _HETU_IN_TEXT_RE.sub(lambda m: m.group(1) + "*****", text)


def business_id_check_digit(first_seven: str) -> int | None:
    """The Y-tunnus check digit, or None when no valid digit exists (remainder 1)."""
    remainder = sum(int(d) * w for d, w in zip(first_seven, _BUSINESS_ID_WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def validate_business_id(value: str) -> str:
    """Return the normalised business ID (1234567-8), or raise ValidationError."""
    code = value.strip()
    if re.fullmatch(r"\d{6}-\d", code):  # old IDs were written without the leading zero
        code = "0" + code
    match = _BUSINESS_ID_RE.match(code)
    if not match:
        raise ValidationError(_("A business ID has the form 1234567-8."), code="format")
    if business_id_check_digit(match.group(1)) != int(match.group(2)):
        raise ValidationError(_("The check digit of the business ID is wrong."), code="checksum")
    return code


def business_id_validator(value: str) -> None:
    """Model-field validator form of `validate_business_id`."""
    validate_business_id(value)
