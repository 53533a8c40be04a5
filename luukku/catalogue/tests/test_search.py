"""Finding the right service: what a resident types, and what comes first."""

from __future__ import annotations

import pytest

from luukku.catalogue import search, signals, tasks
from luukku.catalogue.models import SearchTerm, Service, ServiceText
from luukku.catalogue.tests.factories import ServiceFactory
from luukku.catalogue.tests.search_data import dangerously_build_search_catalogue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_vocabulary():
    # Each test's database is rolled back; the process-wide vocabulary must not outlive it.
    search.invalidate_vocabulary()
    yield
    search.invalidate_vocabulary()


@pytest.fixture
def catalogue() -> dict[str, Service]:
    services = dangerously_build_search_catalogue()
    search.rebuild_index()
    return services


def slugs(query: str, language: str = "fi") -> list[str]:
    return [hit.service.slug for hit in search.search_services(query, language).hits]


@pytest.mark.parametrize(
    ("query", "language", "expected"),
    [
        ("rakennuslupaa", "fi", "rakennuslupa"),
        ("rakennusluvan hakeminen", "fi", "rakennuslupa"),
        ("lupa rakentaa", "fi", "rakennuslupa"),
        ("Rakennuslupa", "fi", "rakennuslupa"),
        ("työttömäksi", "fi", "tyonhaku"),
        ("hammaslääkärille", "fi", "hammashoito"),
        ("päivähoitopaikka", "fi", "varhaiskasvatus"),
        ("kotihoitoa", "fi", "kotihoito"),
        ("ympäristöluvan", "fi", "ymparistolupa"),
        ("rakennusjätteet", "fi", "rakennusjatteet"),
        ("bygglov", "sv", "rakennuslupa"),
        ("tandvården", "sv", "hammashoito"),
        ("arbetslös", "sv", "tyonhaku"),
        ("building permit", "en", "rakennuslupa"),
        ("dental care", "en", "hammashoito"),
        ("unemployment", "en", "tyonhaku"),
    ],
)
def test_a_resident_finds_the_service_first(catalogue, query, language, expected):
    assert slugs(query, language)[0] == expected


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("rakenuslupa", "rakennuslupa"),
        ("hamashoito", "hammashoito"),
        ("kotihoitto", "kotihoito"),
        ("rakenuslupaa", "rakennuslupa"),
        ("hamashoitoa", "hammashoito"),
    ],
)
def test_a_typo_of_one_letter_still_finds_the_service(catalogue, typo, expected):
    assert slugs(typo)[0] == expected


def test_decoys_sharing_a_compound_part_rank_below_the_whole_word(catalogue):
    found = search.search_services("rakennuslupa", "fi")
    scores = {hit.service.slug: hit.score for hit in found.hits}
    assert found.hits[0].service.slug == "rakennuslupa"
    # "lupa" and "rakennus" alone make a weak match, far below the permit itself.
    assert scores["ymparistolupa"] < scores["rakennuslupa"] / 3
    assert scores["rakennusjatteet"] < scores["rakennuslupa"] / 3


def test_hits_are_best_first_and_the_total_counts_every_match(catalogue):
    found = search.search_services("hoito", "fi")
    scores = [hit.score for hit in found.hits]
    assert scores == sorted(scores, reverse=True)
    assert found.total == len(found.hits)
    assert {"hammashoito", "kotihoito"} <= {hit.service.slug for hit in found.hits}


def test_a_query_in_one_language_does_not_search_the_others(catalogue):
    assert slugs("bygglov", "fi") == []
    assert slugs("rakennuslupa", "en") == []


def test_nothing_matches_fragments_or_words_the_catalogue_does_not_have(catalogue):
    assert slugs("upa") == []
    assert slugs("ja") == []
    assert slugs("   ") == []
    page = search.search_services("avaruusmatkailu", "fi")
    assert page.hits == []
    assert page.total == 0


def test_pages_follow_each_other_without_gaps_or_repeats():
    for number in range(7):
        ServiceFactory.create(
            slug=f"kirjasto-{number}",
            names={"fi": f"Kirjasto {number}"},
            summaries={"fi": "Lainaa kirjoja kirjastosta." * (number % 3 + 1)},
        )
    search.rebuild_index()
    first = search.search_services("kirjasto", "fi", limit=3)
    second = search.search_services("kirjasto", "fi", limit=3, offset=3)
    third = search.search_services("kirjasto", "fi", limit=3, offset=6)
    seen = [hit.service.slug for page in (first, second, third) for hit in page.hits]
    assert sorted(seen) == [f"kirjasto-{n}" for n in range(7)]
    assert first.total == second.total == third.total == 7
    assert first.has_next
    assert not third.has_next
    assert search.search_services("kirjasto", "fi", limit=3, offset=9).total == 7


def test_equal_scores_keep_a_stable_order():
    for number in range(4):
        ServiceFactory.create(slug=f"neuvola-{number}", names={"fi": "Neuvola"})
    search.rebuild_index()
    orders = {tuple(slugs("neuvola")) for _ in range(3)}
    assert orders == {("neuvola-0", "neuvola-1", "neuvola-2", "neuvola-3")}


def test_the_index_holds_lemmas_and_compound_parts_weighted_by_field(catalogue):
    rows = dict(
        SearchTerm.objects.filter(service=catalogue["rakennuslupa"], language="fi").values_list(
            "term", "weight"
        )
    )
    assert rows["rakennuslupa"] == search.FIELD_WEIGHTS[ServiceText.Kind.NAME]
    assert rows["lupa"] == search.FIELD_WEIGHTS[ServiceText.Kind.NAME] * 0.5
    assert rows["rakentaa"] == search.FIELD_WEIGHTS[ServiceText.Kind.KEYWORD]
    assert "rakennusluvan" not in rows  # inflected forms are not stored, their lemma is
    assert "ja" not in rows


def test_a_changed_service_is_reindexed_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        service = ServiceFactory.create(slug="kirjasto", names={"fi": "Pääkirjasto"})
    assert slugs("pääkirjastoon") == ["kirjasto"]

    with django_capture_on_commit_callbacks(execute=True):
        ServiceText.objects.filter(service=service, kind=ServiceText.Kind.NAME).update(
            value="Uimahalli"
        )
        # A queryset update sends no signal: the editor's save does. Imitate it.
        text = ServiceText.objects.get(service=service, kind=ServiceText.Kind.NAME)
        text.save()
    assert slugs("pääkirjasto") == []
    assert slugs("uimahallissa") == ["kirjasto"]

    with django_capture_on_commit_callbacks(execute=True):
        service.delete()
    assert slugs("uimahalli") == []


def test_nothing_is_reindexed_when_the_transaction_does_not_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ServiceFactory.create(slug="kirjasto", names={"fi": "Kirjasto"})
    assert callbacks  # waiting for the commit
    assert slugs("kirjasto") == []


def test_a_bulk_load_reindexes_once_at_the_end(django_capture_on_commit_callbacks, monkeypatch):
    calls: list[list[int]] = []
    monkeypatch.setattr(tasks.reindex_services, "delay", calls.append)
    with django_capture_on_commit_callbacks(execute=True):
        with signals.suspend_search_indexing() as collected:
            services = [
                ServiceFactory.create(slug=f"palvelu-{n}", names={"fi": f"Palvelu {n}"})
                for n in range(5)
            ]
            assert calls == []
        assert collected == {service.pk for service in services}
    assert calls == [sorted(service.pk for service in services)]


def test_a_loader_that_rebuilds_itself_can_skip_the_reindex(
    django_capture_on_commit_callbacks, monkeypatch
):
    calls: list[list[int]] = []
    monkeypatch.setattr(tasks.reindex_services, "delay", calls.append)
    with (
        django_capture_on_commit_callbacks(execute=True),
        signals.suspend_search_indexing(reindex_on_exit=False),
    ):
        ServiceFactory.create(slug="palvelu", names={"fi": "Palvelu"})
    assert calls == []


def test_the_reindex_task_refreshes_the_named_services(catalogue):
    service = catalogue["kotihoito"]
    ServiceText.objects.filter(service=service, kind=ServiceText.Kind.NAME, language="fi").update(
        value="Ateriapalvelu"
    )
    assert slugs("ateriapalvelua") == []
    tasks.reindex_services.delay([service.pk])
    assert slugs("ateriapalvelua") == ["kotihoito"]


def test_typo_candidates_come_from_terms_another_process_indexed(monkeypatch):
    ServiceFactory.create(slug="kirjasto", names={"fi": "Kirjasto"})
    search.rebuild_index()
    assert slugs("kirjastp") == ["kirjasto"]  # the vocabulary is now loaded in this process
    monkeypatch.setattr(search, "VOCABULARY_MAX_AGE", 0.0)
    # Another worker indexed a new service: its rows appear without this process being told.
    other = ServiceFactory.create(slug="uimahalli", names={"fi": "Uimahalli"})
    SearchTerm.objects.create(service=other, language="fi", term="uimahalli", weight=5.0)
    assert slugs("uimahali") == ["uimahalli"]


def test_a_swap_of_two_letters_counts_as_one_typo(catalogue):
    assert slugs("kotihoiot")[0] == "kotihoito"


def test_words_most_services_use_only_rank_the_services_a_distinctive_word_found(monkeypatch):
    monkeypatch.setattr(search, "COMMON_TERM_MIN_SERVICES", 3)
    for number in range(5):
        ServiceFactory.create(
            slug=f"palvelu-{number}",
            names={"fi": f"Palvelu {number}"},
            summaries={"fi": "Palvelu kaikille kuntalaisille."},
        )
    pool = ServiceFactory.create(
        slug="uimahalli", names={"fi": "Uimahalli"}, summaries={"fi": "Palvelu uimareille."}
    )
    search.rebuild_index()
    found = search.search_services("uimahallin palvelut", "fi")
    assert [hit.service.slug for hit in found.hits] == ["uimahalli"]
    assert found.total == 1
    # The common word still adds to the score of the service the rare word found.
    alone = search.search_services("uimahalli", "fi").hits[0].score
    assert found.hits[0].score > alone
    # A word no service has does not stop the common word from finding services.
    assert search.search_services("palvelu avaruusmatkailu", "fi").total == 6
    # Past the last page, the total is still told.
    assert search.search_services("uimahallin palvelut", "fi", offset=5).total == 1
    # A query of common words only still finds every service that has them.
    assert search.search_services("palvelu", "fi").total == 6
    assert pool.pk in {hit.service.pk for hit in search.search_services("palvelu", "fi").hits}


def test_indexing_a_service_twice_keeps_one_row_per_term(catalogue):
    service = catalogue["rakennuslupa"]
    before = SearchTerm.objects.filter(service=service).count()
    search.index_services([service.pk, service.pk])
    search.index_services([service.pk])
    rows = SearchTerm.objects.filter(service=service)
    assert rows.count() == before
    assert rows.values("language", "term").distinct().count() == before
