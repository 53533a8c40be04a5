"""Removing personal data from open answers before they are analysed or quoted.

Analysis quotes texts to staff who never handled the case, so what identifies a person goes
first: identity codes, phone numbers, e-mail addresses and names where people write them (in
greetings, signatures and "my name is"). Each is replaced by a placeholder in the text's
language, so a quote still reads naturally ("Hei [nimi], soitin numeroon [puhelin]").

The patterns lean towards removing too much: a digit run that could be a phone number is one.
Dates, prices, postal codes and case references are kept, because themes need them and they
identify no one. Recall and precision are measured by bench/bench_scrubbing.py on generated
texts written by a separate generator.
"""

from __future__ import annotations

import re

# Placeholders per language; themes and quotes recognise them through PLACEHOLDER_RE.
PLACEHOLDERS: dict[str, dict[str, str]] = {
    "fi": {
        "identity_code": "[henkilötunnus]",
        "phone": "[puhelin]",
        "email": "[sähköposti]",
        "name": "[nimi]",
    },
    "sv": {
        "identity_code": "[personbeteckning]",
        "phone": "[telefon]",
        "email": "[e-post]",
        "name": "[namn]",
    },
    "en": {
        "identity_code": "[identity code]",
        "phone": "[phone]",
        "email": "[email]",
        "name": "[name]",
    },
}
PII_TYPES: tuple[str, ...] = ("identity_code", "phone", "email", "name")

PLACEHOLDER_RE = re.compile(
    "|".join(
        re.escape(placeholder)
        for placeholders in PLACEHOLDERS.values()
        for placeholder in placeholders.values()
    )
)

# --- E-mail: also the "(at)" and "[dot]" forms Finnish organisations write against spam.
_AT = r"(?:@|\s?[\(\[]\s?(?:at|ät|ät)\s?[\)\]]\s?)"
_DOT = r"(?:\.|\s?[\(\[]\s?(?:dot|piste|punkt)\s?[\)\]]\s?)"
_EMAIL_RE = re.compile(rf"[\w.%+-]+{_AT}[\w-]+(?:{_DOT}[\w-]+)+", re.IGNORECASE)

# --- Identity code: the henkilötunnus shape, checksum not required (a mistyped code is still
# someone's), upper or lower case, with a stray space around the century sign.
_IDENTITY_CODE_RE = re.compile(
    r"(?<![0-9A-Za-z])\d{6}\s?[-+A-FU-Ya-fu-y]\s?\d{3}[0-9A-Ya-y](?![0-9A-Za-z])"
)

# --- Phone numbers: a run of digits with spaces, hyphens, dots and brackets that starts with
# a + (international), a 0 (Finnish trunk prefix) or an area code in brackets. Not after a
# letter, hyphen or comma, so case references (KUO-2024-0012345) and decimals stay.
_PHONE_CANDIDATE_RE = re.compile(
    r"(?<![\w+,/-])(?<!\d[.:])"
    r"(?:\+\s?|\(\s?)?\d"
    r"(?:[ \u00a0.-]?\(?\d|\)\s?\d){5,17}"
)
_DATE_LIKE_RE = re.compile(r"\d{1,4}[.-]\d{1,2}[.-]\d{1,4}")
MIN_PHONE_DIGITS = 7
MAX_PHONE_DIGITS = 15


def _is_phone(candidate: str) -> bool:
    digits = sum(ch.isdigit() for ch in candidate)
    if not MIN_PHONE_DIGITS <= digits <= MAX_PHONE_DIGITS:
        return False
    if candidate.startswith("+"):
        return True
    if not candidate.lstrip("(").startswith("0"):
        return False
    # 01.02.2024 and 01-02-2024 are dates; numbers with dots are written that way too rarely
    # to justify losing dates.
    return "." not in candidate and not _DATE_LIKE_RE.fullmatch(candidate)


# --- Names: capitalised words where people write their own or the addressee's name.
_NAME_WORD = r"[A-ZÅÄÖÜÉÈÁ][a-zåäöüéèáíóúšž'’]+(?:-[A-ZÅÄÖ][a-zåäöüéèáíóúšž]+)?"
_INITIAL = r"[A-ZÅÄÖ]\."
_NAME = rf"(?:{_NAME_WORD}|{_INITIAL})(?:[ \t]+(?:{_NAME_WORD}|{_INITIAL})){{0,2}}"
# A name ends its line or is followed by a comma, full stop or exclamation mark.
_NAME_END = r"(?=[ \t]*(?:[,.!:;)]|\n|$))"

_GREETINGS = (
    "hei hei|hei|moi|moikka|terve|hyvä|arvoisa|"  # fi
    "hej|hejsan|hallå|bästa|kära|"  # sv
    "hello|hi|hey|dear"  # en
)
_CLOSINGS = (
    "ystävällisin terveisin|parhain terveisin|terveisin|terveisiä|yst\\. terv\\.|terv\\.|"
    "kiittäen|t\\.|t:|"  # fi
    "med vänlig hälsning|med vänliga hälsningar|vänliga hälsningar|bästa hälsningar|"
    "hälsningar|hälsning|mvh\\.?|hälsn\\.|"  # sv
    "best regards|kind regards|warm regards|regards|best wishes|yours sincerely|sincerely|"
    "many thanks|thanks|cheers|br"  # en
)
_SELF_INTRODUCTIONS = "nimeni on|olen nimeltäni|jag heter|mitt namn är|my name is"

# "...thanks.\nRegards,": a closing or greeting word is never the name after another one.
_NOT_A_NAME = rf"(?!(?:{_CLOSINGS}|{_GREETINGS}|kiitos|tack|thank)(?!\w))"
_GREETING_NAME_RE = re.compile(
    rf"(?im)^([ \t]*(?:{_GREETINGS})[ \t]+){_NOT_A_NAME}(?-i:({_NAME})){_NAME_END}"
)
# The closing, optionally punctuated, then the name on the same line or alone on the next.
_CLOSING_NAME_RE = re.compile(
    rf"(?i)((?<!\w)(?:{_CLOSINGS})[,.!:]?[ \t]*(?:\n[ \t]*)?){_NOT_A_NAME}"
    rf"(?-i:({_NAME}))(?=[ \t]*[,.!]?[ \t]*(?:\n|$))"
)
_SELF_INTRODUCTION_RE = re.compile(rf"(?i)((?<!\w)(?:{_SELF_INTRODUCTIONS})[ \t]+)(?-i:({_NAME}))")
_DASH_SIGNATURE_RE = re.compile(rf"(?m)(^[ \t]*[-–—][ \t]*)({_NAME})(?=[ \t]*$)")
# A short last line of capitalised words after the message is a signature ("Matti V.").
_LAST_LINE_NAME_RE = re.compile(rf"(\n[ \t]*)({_NAME})([ \t]*)$")
# ... unless it is one of the words people end a message with.
_NOT_NAMES = frozenset(
    [
        "kiitos",
        "kiitoksia",
        "terveisin",
        "moi",
        "hei",
        "heippa",
        "tervetuloa",
        "anteeksi",
        "ok",
        "okei",
        "tack",
        "hej",
        "hälsningar",
        "mvh",
        "thanks",
        "thank",
        "cheers",
        "regards",
        "sorry",
        "yes",
        "no",
        "kyllä",
        "ei",
        "ja",
        "nej",
    ]
)


def _replace_name(pattern: re.Pattern[str], text: str, placeholder: str) -> str:
    """Keep the words around the name (the greeting or closing), replace the name only."""
    return pattern.sub(lambda m: m.group(1) + placeholder, text)


def _scrub_last_line(text: str, placeholder: str) -> str:
    match = _LAST_LINE_NAME_RE.search(text.rstrip())
    if match is None or match.group(2).split()[0].casefold().rstrip(".") in _NOT_NAMES:
        return text
    return text[: match.start(2)] + placeholder + text[match.end(2) :]


def scrub(text: str, language: str) -> str:
    """`text` with identity codes, phone numbers, e-mails and names replaced by placeholders.

    The placeholders are in `language` (Finnish for an unknown one); every language's
    greetings and closings are recognised, since people mix them.
    """
    if not text:
        return text
    placeholders = PLACEHOLDERS.get(language[:2], PLACEHOLDERS["fi"])
    text = _EMAIL_RE.sub(placeholders["email"], text)
    text = _IDENTITY_CODE_RE.sub(placeholders["identity_code"], text)
    text = _PHONE_CANDIDATE_RE.sub(
        lambda m: placeholders["phone"] if _is_phone(m.group(0)) else m.group(0), text
    )
    name = placeholders["name"]
    for pattern in (
        _GREETING_NAME_RE,
        _CLOSING_NAME_RE,
        _SELF_INTRODUCTION_RE,
        _DASH_SIGNATURE_RE,
    ):
        text = _replace_name(pattern, text, name)
    return _scrub_last_line(text, name)
