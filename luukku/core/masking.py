"""Masking personal data in free text that is shown publicly (feedback, replies).

Feedback texts are published as the customer wrote them, and customers write their phone
numbers, e-mail addresses and even identity codes into them. What is shown publicly goes
through `mask_personal_data`; the stored text stays as written for the staff who handle it.
The patterns prefer masking a number too many over publishing one: a long number starting with
0 or + is treated as a phone number.
"""

from __future__ import annotations

import re

from .identifiers import mask_identity_codes_in

EMAIL_MASK = "***@***"
PHONE_MASK = "*** ****"
IDENTITY_CODE_MASK = "******-****"

_EMAIL_RE = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Finnish and international numbers: +358 40 123 4567, 040-123 4567, (09) 310 1691, 0031 20 ...
# At least seven digits after the area part, so postal codes (00970) and dates stay readable.
_PHONE_RE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s-]?|\(?0)\d{1,4}\)?(?:[\s-]?\d){4,11}(?!\w)")
# `mask_identity_codes_in` keeps the birth date for logs; publicly not even that is shown.
_MASKED_IDENTITY_CODE_RE = re.compile(r"(?<![0-9A-Za-z])\d{6}\*{5}")
# Every pattern above needs a digit or an @: most feedback has neither and needs no masking.
_COULD_HOLD_PERSONAL_DATA_RE = re.compile(r"[\d@]")


def mask_emails(text: str) -> str:
    return _EMAIL_RE.sub(EMAIL_MASK, text)


def mask_phone_numbers(text: str) -> str:
    return _PHONE_RE.sub(PHONE_MASK, text)


def mask_identity_codes(text: str) -> str:
    """Replace whole personal identity codes, birth date included."""
    return _MASKED_IDENTITY_CODE_RE.sub(IDENTITY_CODE_MASK, mask_identity_codes_in(text))


def mask_personal_data(text: str) -> str:
    """Identity codes first (they contain digit runs the phone pattern could half-match)."""
    if not text or not _COULD_HOLD_PERSONAL_DATA_RE.search(text):
        return text
    return mask_phone_numbers(mask_emails(mask_identity_codes(text)))
