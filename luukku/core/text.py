"""Language tools for Finnish, Swedish and English search: tokens, lemmas, compound parts, typos.

Lemmas come from simplemma (MIT): a dictionary lemmatiser, so "rakennusluvan" becomes
"rakennuslupa" and "työttömäksi" becomes "työtön" without any suffix guessing. Its Finnish
dictionary costs about 2.8 s to load and about 400 MB of memory, so it is loaded once per
process, lazily, and `warm_up()` loads it before the first request where that matters (the WSGI
and ASGI entry points call it; with a pre-forking server the pages are shared by the workers).

Compounds are split with the same dictionary as the lexicon: a word is cut where both sides are
known words, so "rakennuslupa" also yields "rakennus" and "lupa", and "päivähoitopaikka" yields
"päivähoito", "paikka", "päivä" and "hoito". Nothing here matches substrings of words.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache

import simplemma
from rapidfuzz import process
from rapidfuzz.distance import OSA

SUPPORTED_LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")

# Languages whose compounds are written as one word; English compounds are separate words.
COMPOUNDING_LANGUAGES: frozenset[str] = frozenset({"fi", "sv"})

# A compound part shorter than this is too often a false cut ("ase" + "ma").
MIN_PART_LENGTH = 3
# Below this length one edit changes too much of the word to be a safe typo correction.
MIN_FUZZY_LENGTH = 5

# Swedish joins compound parts with a linking -s- ("byggnadslov" = "byggnad" + "lov").
_LINKING_LETTERS: dict[str, tuple[str, ...]] = {"sv": ("s",), "fi": ()}

# Words that carry no meaning for finding a service. Kept short on purpose: a word dropped
# here can never be searched for.


def _words(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


STOP_WORDS: dict[str, frozenset[str]] = {
    "fi": _words(
        "ja tai sekä eli on ei ole olla se ne tämä nämä joka jotka mikä mitä kun jos niin "
        "myös vain kuin että mutta vaan voi voit sinä minä me te he hän sen sitä siitä "
        "kanssa ilman kautta mukaan"
    ),
    "sv": _words(
        "och eller att är en ett den det de som på i av för till med om inte har kan du "
        "vi ni han hon man sig så"
    ),
    "en": _words(
        "a an and or the of to in on for with by at from is are be can you your it its "
        "this that as not"
    ),
}

# Unicode letters and digits; hyphens and punctuation separate words ("TE-toimisto" → te, toimisto).
_WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)

_load_lock = threading.Lock()


def tokenize(text: str) -> list[str]:
    """Split `text` into lower-case words, keeping å, ä and ö as letters of their own."""
    return [match.group(0) for match in _WORD_RE.finditer(text.casefold())]


def is_stop_word(token: str, language: str) -> bool:
    return token in STOP_WORDS.get(language, frozenset())


def _simplemma_language(language: str) -> str | None:
    return language if language in SUPPORTED_LANGUAGES else None


@lru_cache(maxsize=200_000)
def lemmatize(token: str, language: str) -> str:
    """The dictionary form of one lower-case token; the token itself when it is unknown."""
    lang = _simplemma_language(language)
    if lang is None or not token.isalpha():
        return token
    _ensure_loaded(lang)
    return str(simplemma.lemmatize(token, lang=lang)).casefold()


@lru_cache(maxsize=200_000)
def is_known(word: str, language: str) -> bool:
    """True when the word (in any inflected form) is in the language's dictionary."""
    lang = _simplemma_language(language)
    if lang is None:
        return False
    _ensure_loaded(lang)
    return bool(simplemma.is_known(word, lang=lang))


def compound_parts(word: str, language: str, *, inflected: bool = False) -> list[str]:
    """The known words a compound is made of, outermost split first; [] for simple words.

    The split keeps the longest known head ("päivähoito" + "paikka"), then splits each part
    again, so every level of the compound is searchable. A compound's last part carries the
    inflection, so in a lemma it must itself be a lemma ("rakennus" + "lupa"); pass
    `inflected=True` for a word the dictionary could not lemmatise ("päivähoitopaikkaa").
    """
    if language not in COMPOUNDING_LANGUAGES:
        return []
    return list(_compound_parts(word, language, inflected))


@lru_cache(maxsize=100_000)
def _compound_parts(word: str, language: str, inflected: bool) -> tuple[str, ...]:
    split = _best_split(word, language, inflected)
    if split is None:
        return ()
    head, tail = split
    parts: list[str] = [head, tail]
    for part in (head, tail):
        parts.extend(_compound_parts(part, language, False))
    return tuple(dict.fromkeys(parts))


def _best_split(word: str, language: str, inflected: bool) -> tuple[str, str] | None:
    """Cut `word` into two known words, preferring the longest head; None when it cannot be."""
    if not word.isalpha() or len(word) < 2 * MIN_PART_LENGTH:
        return None
    for cut in range(len(word) - MIN_PART_LENGTH, MIN_PART_LENGTH - 1, -1):
        head, tail = word[:cut], word[cut:]
        tail_lemma = _valid_tail(tail, language, inflected)
        if tail_lemma is None:
            continue
        for head_form in _head_forms(head, language):
            if len(head_form) >= MIN_PART_LENGTH and is_known(head_form, language):
                head_lemma = _part_lemma(head_form, language)
                if head_lemma == word:
                    # The dictionary maps the head back to the whole word ("maalis" →
                    # "maaliskuu"): splitting it again would never end.
                    continue
                return head_lemma, tail_lemma
    return None


_FINNISH_VOWELS = frozenset("aeiouyäöå")


def _valid_tail(tail: str, language: str, inflected: bool) -> str | None:
    """The lemma of a compound's last part, or None when it cannot be one."""
    if language == "fi" and tail[0] not in _FINNISH_VOWELS and tail[1] not in _FINNISH_VOWELS:
        # Finnish words start with at most one consonant; "nti" is a dictionary artefact.
        return None
    if not is_known(tail, language):
        return None
    lemma = lemmatize(tail, language)
    if inflected:
        return lemma if len(lemma) >= MIN_PART_LENGTH else None
    return tail if lemma == tail else None


def _head_forms(head: str, language: str) -> Iterator[str]:
    """The forms a compound's first part may stand for."""
    yield head
    if language == "fi" and head.endswith("is"):
        # "vammais-", "asumis-", "omais-": the compound stem of -nen words.
        yield head[:-1] + "nen"
        yield head[:-2] + "inen"
    for letter in _LINKING_LETTERS.get(language, ()):
        if head.endswith(letter):
            yield head[: -len(letter)]


def _part_lemma(part: str, language: str) -> str:
    """A compound's head is often inflected ("työn-haku"); its dictionary form is what we index."""
    lemma = lemmatize(part, language)
    return lemma if len(lemma) >= MIN_PART_LENGTH else part


@lru_cache(maxsize=200_000)
def analyse(token: str, language: str) -> tuple[str, tuple[str, ...]]:
    """The lemma of one token and the parts of its compound, for the index and for queries.

    Cached: a catalogue repeats its words, and indexing 20,000 services analyses 1.8 million.
    """
    lemma = lemmatize(token, language)
    parts = [part for part in compound_parts(lemma, language) if part != lemma]
    if not parts and lemma == token:
        # An inflected compound the dictionary does not know ("päivähoitopaikkaa") is still
        # split: the tail's lemma carries the inflection away.
        parts = [part for part in compound_parts(token, language, inflected=True) if part != lemma]
    return lemma, tuple(parts)


def terms(text: str, language: str) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(lemma, compound parts) for every meaningful word of `text`."""
    for token in tokenize(text):
        if is_stop_word(token, language):
            continue
        lemma, parts = analyse(token, language)
        if is_stop_word(lemma, language):
            continue
        yield lemma, parts


def fuzzy_candidates(token: str, vocabulary_by_length: dict[int, list[str]]) -> list[str]:
    """Known index terms within one edit of `token` (for typos), for tokens long enough.

    An edit is a letter added, dropped or changed, or two neighbours swapped ("kirjasot").

    `vocabulary_by_length` groups the index's terms by length, so only words of length ±1 are
    compared.
    """
    if len(token) < MIN_FUZZY_LENGTH:
        return []
    matches: list[str] = []
    for length in (len(token) - 1, len(token), len(token) + 1):
        candidates = vocabulary_by_length.get(length)
        if not candidates:
            continue
        # rapidfuzz compares the whole list in C, stopping early past one edit.
        found = process.extract(token, candidates, scorer=OSA.distance, score_cutoff=1, limit=None)
        matches.extend(term for term, _distance, _index in found if term != token)
    return matches


# An inflected word with a typo is two steps from its lemma; dropping a case ending of up to
# this many letters first ("rakenuslupaa" → "rakenuslupa") brings it back within one edit.
MAX_ENDING_LENGTH = 3
# ... but only while enough of the word is left for the comparison to mean something.
MIN_STEM_LENGTH = 7


def typo_candidates(token: str, vocabulary_by_length: dict[int, list[str]]) -> list[str]:
    """Index terms the user probably meant by a word neither the dictionary nor the index has.

    First the terms within one edit of the word itself; when there are none, the terms within
    one edit of the word without its last one to three letters (a case or plural ending), the
    shortest cut first.
    """
    matches = fuzzy_candidates(token, vocabulary_by_length)
    for cut in range(1, MAX_ENDING_LENGTH + 1):
        if matches or len(token) - cut < MIN_STEM_LENGTH:
            break
        matches = fuzzy_candidates(token[:-cut], vocabulary_by_length)
    return matches


def group_by_length(words: Iterable[str]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = {}
    for word in words:
        grouped.setdefault(len(word), []).append(word)
    return grouped


def warm_up(languages: Iterable[str] = SUPPORTED_LANGUAGES) -> None:
    """Load the dictionaries now rather than on a user's first search (about 3 s for Finnish)."""
    for language in languages:
        if _simplemma_language(language):
            _ensure_loaded(language)


_loaded_languages: set[str] = set()


def _ensure_loaded(language: str) -> None:
    """Load a dictionary once even when two threads search at the same moment."""
    if language in _loaded_languages:
        return
    with _load_lock:
        if language not in _loaded_languages:
            simplemma.lemmatize("a", lang=language)
            _loaded_languages.add(language)
