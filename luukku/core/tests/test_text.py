"""The language tools search relies on: words, lemmas, compound parts and typo candidates."""

from __future__ import annotations

import pytest

from luukku.core import text


def test_tokens_are_lower_case_words_that_keep_the_nordic_letters():
    assert text.tokenize("Päivähoito, ÅLAND ja TE-toimisto: 24/7!") == [
        "päivähoito",
        "åland",
        "ja",
        "te",
        "toimisto",
        "24",
        "7",
    ]


@pytest.mark.parametrize(
    ("word", "language", "lemma"),
    [
        ("rakennuslupaa", "fi", "rakennuslupa"),
        ("rakennusluvan", "fi", "rakennuslupa"),
        ("työttömäksi", "fi", "työtön"),
        ("hammaslääkärille", "fi", "hammaslääkäri"),
        ("kotihoitoa", "fi", "kotihoito"),
        ("tandvården", "sv", "tandvård"),
        ("permits", "en", "permit"),
    ],
)
def test_inflected_words_are_reduced_to_their_dictionary_form(word, language, lemma):
    assert text.lemmatize(word, language) == lemma


def test_an_unknown_word_is_kept_as_it_is():
    assert text.lemmatize("xqzzyq", "fi") == "xqzzyq"
    assert text.lemmatize("rakennuslupaa", "de") == "rakennuslupaa"


@pytest.mark.parametrize(
    ("compound", "parts"),
    [
        ("rakennuslupa", ["rakennus", "lupa"]),
        ("hammaslääkäri", ["hammas", "lääkäri"]),
        ("päivähoitopaikka", ["päivähoito", "paikka", "päivä", "hoito"]),
        ("työnhaku", ["työ", "haku"]),
        ("vammaispalvelu", ["vammainen", "palvelu"]),
    ],
)
def test_finnish_compounds_split_into_known_words(compound, parts):
    assert text.compound_parts(compound, "fi") == parts


@pytest.mark.parametrize("word", ["kirjasto", "neuvola", "hakeminen", "rekrytointi", "lupa"])
def test_simple_words_are_not_cut_into_pieces(word):
    assert text.compound_parts(word, "fi") == []


def test_english_words_are_never_split():
    assert text.compound_parts("careworker", "en") == []


def test_an_inflected_compound_the_dictionary_does_not_know_is_still_analysed():
    lemma, parts = text.analyse("päivähoitopaikkaa", "fi")
    assert "paikka" in parts
    assert "päivähoito" in parts
    assert lemma == "päivähoitopaikka"


def test_analysis_matches_whole_words_not_substrings():
    # "lupaus" (a promise) begins with "lupa" (a permit) but is a word of its own.
    lemma, parts = text.analyse("lupaus", "fi")
    assert lemma == "lupaus"
    assert "lupa" not in parts


def test_stop_words_carry_no_terms():
    assert [lemma for lemma, _ in text.terms("lupa ja rakentaminen", "fi")] == [
        "lupa",
        "rakentaminen",
    ]


def test_typo_candidates_are_within_one_edit_and_only_for_long_enough_words():
    vocabulary = text.group_by_length(["rakennuslupa", "hammashoito", "kotihoito", "lupa"])
    assert text.fuzzy_candidates("rakenuslupa", vocabulary) == ["rakennuslupa"]
    assert text.fuzzy_candidates("hamashoito", vocabulary) == ["hammashoito"]
    assert text.fuzzy_candidates("rakenslupa", vocabulary) == []  # two edits
    assert text.fuzzy_candidates("lipa", vocabulary) == []  # too short to guess safely


def test_a_typo_in_an_inflected_word_is_matched_without_its_ending():
    vocabulary = text.group_by_length(["rakennuslupa", "vammaispalvelu", "kirjasto", "kaava"])
    assert text.typo_candidates("rakenuslupaa", vocabulary) == ["rakennuslupa"]
    assert text.typo_candidates("vammaispalvlut", vocabulary) == ["vammaispalvelu"]
    assert text.typo_candidates("kirjasot", vocabulary) == ["kirjasto"]
    # Too little would be left of a short word to compare safely.
    assert text.typo_candidates("kaavaxx", vocabulary) == []
    assert text.typo_candidates("avaruusmatkailu", vocabulary) == []


def test_warm_up_loads_the_dictionaries_once_and_lemmas_keep_working():
    text.warm_up(["fi", "xx"])
    assert text.lemmatize("rakennusluvan", "fi") == "rakennuslupa"


def test_a_head_the_dictionary_maps_back_to_the_whole_word_is_not_split_forever():
    # simplemma lemmatises "maalis" to "maaliskuu": the split must not recurse into itself.
    assert "maaliskuu" not in text.compound_parts("maaliskuu", "fi")
    assert text.analyse("maaliskuussa", "fi")[0] == "maaliskuu"
    assert text.analyse("syyslomat", "fi")[0]
