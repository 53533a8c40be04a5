"""The issue's search cases, and others like them, against the demo region's real catalogue.

The demo region is loaded once for the module inside a transaction that is rolled back at the
end, so the other test modules never see it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction

from luukku.catalogue import search

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo_region(django_db_setup, django_db_blocker) -> Iterator[None]:
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("load_demo_region", verbosity=0)
            search.rebuild_index()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            search.invalidate_vocabulary()


def ranking(query: str, language: str = "fi") -> list[str]:
    return [hit.service.slug for hit in search.search_services(query, language, limit=10).hits]


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        # The issue's own cases.
        ("rakennuslupaa", "fi", "rakennuslupa"),
        ("rakennusluvan hakeminen", "fi", "rakennuslupa"),
        ("lupa rakentaa", "fi", "rakennuslupa"),
        # Inflected forms and compounds a resident types.
        ("hammaslääkärille", "fi", "hammashoito"),
        ("päivähoitopaikka", "fi", "varhaiskasvatus"),
        ("kotihoitoa", "fi", "kotihoito"),
        ("eläinlääkärille", "fi", "elainlaakari"),
        ("jäteastian tyhjennys", "fi", "jatehuolto"),
        ("omaishoitajan vapaa", "fi", "omaishoidon-tuki"),
        ("starttirahan hakeminen", "fi", "starttiraha"),
        ("toimeentulotukea", "fi", "toimeentulotuki"),
        ("kirjastokortin", "fi", "kirjasto"),
        ("uimahalliin", "fi", "liikuntapaikat"),
        # Typos of one letter.
        ("rakenuslupa", "fi", "rakennuslupa"),
        ("hamashoito", "fi", "hammashoito"),
        ("rakenuslupaa", "fi", "rakennuslupa"),
        # Swedish and English on their own texts.
        ("bygglov", "sv", "rakennuslupa"),
        ("tandvården", "sv", "hammashoito"),
        ("hemvård", "sv", "kotihoito"),
        ("building permit", "en", "rakennuslupa"),
        ("dental care", "en", "hammashoito"),
        ("library card", "en", "kirjasto"),
    ],
)
def test_the_service_a_resident_means_comes_first(query, language, expected):
    assert ranking(query, language)[0] == expected


def test_someone_losing_their_job_finds_jobseeker_registration_near_the_top():
    assert "tyonhaku" in ranking("työttömäksi")[:3]


def test_a_word_no_service_uses_finds_nothing():
    assert ranking("avaruusmatkailu") == []
