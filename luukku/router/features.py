"""What the router sees in a message: Finnish-aware words plus character n-grams.

A document is a `(text, language)` pair. Two views of it are combined:

- **Lemmas.** Words are lemmatised with `core.text` (simplemma) in the message's language and
  split into compound parts, so "lapselle päivähoitopaikkaa" gives "lapsi", "päivähoitopaikka",
  "päivähoito", "paikka", ... — the same terms the catalogue's "päivähoito" gives. A word the
  language's dictionary does not know but another supported language does (a Swedish message sent
  with lang=fi) is lemmatised in that language. Weighted by TF-IDF.
- **Character n-grams** (3–5, inside word boundaries) of the lower-cased raw text: a typo
  ("päivähoitopaikkka"), a dialect form ("lapsel") or an unknown inflection still shares most of
  its n-grams with the right word.

The functions here are referenced by name from pickled pipelines: renaming one makes stored
models unloadable (they are then refused and retrained, see `training.load_pipeline`).
"""

from __future__ import annotations

from typing import Any

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

from luukku.core import text as finnish

Document = tuple[str, str]

# Which dictionaries to try, in order, for a word the message's own language does not know.
_OTHER_LANGUAGES: dict[str, tuple[str, ...]] = {
    "fi": ("sv", "en"),
    "sv": ("fi", "en"),
    "en": ("fi", "sv"),
}


def document_text(document: Document) -> str:
    """The raw text, lower-cased: the input of the character n-grams."""
    return document[0].casefold()


def lemma_terms(document: Document) -> list[str]:
    """Lemmas and compound parts of the meaningful words of a message."""
    raw, language = document
    if language not in finnish.SUPPORTED_LANGUAGES:
        language = "fi"
    result: list[str] = []
    for token in finnish.tokenize(raw):
        if token.isdigit() or finnish.is_stop_word(token, language):
            continue
        word_language = _language_for(token, language)
        lemma, parts = finnish.analyse(token, word_language)
        if finnish.is_stop_word(lemma, word_language):
            continue
        result.append(lemma)
        result.extend(parts)
    return result


def _language_for(token: str, language: str) -> str:
    if not token.isalpha() or finnish.is_known(token, language):
        return language
    for other in _OTHER_LANGUAGES[language]:
        if finnish.is_known(token, other):
            return other
    return language


def build_features(**parameters: Any) -> FeatureUnion:
    """The feature union; `parameters` override the defaults below (for tuning)."""
    settings = {
        "char_min_n": 3,
        "char_max_n": 5,
        "char_weight": 1.0,
        "lemma_weight": 1.0,
        "min_df": 1,
    }
    settings.update(parameters)
    characters = TfidfVectorizer(
        analyzer="char_wb",
        preprocessor=document_text,
        ngram_range=(int(settings["char_min_n"]), int(settings["char_max_n"])),
        sublinear_tf=True,
        min_df=int(settings["min_df"]),
        dtype=_float32(),
    )
    lemmas = TfidfVectorizer(
        analyzer=lemma_terms,
        sublinear_tf=True,
        min_df=int(settings["min_df"]),
        dtype=_float32(),
    )
    return FeatureUnion(
        [("characters", characters), ("lemmas", lemmas)],
        transformer_weights={
            "characters": float(settings["char_weight"]),
            "lemmas": float(settings["lemma_weight"]),
        },
    )


def _float32() -> Any:
    import numpy as np

    return np.float32
