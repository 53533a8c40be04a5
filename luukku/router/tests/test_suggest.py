"""Suggestions for customers' messages: Finnish in its inflected forms, typos, Swedish, English."""

from __future__ import annotations

import numpy as np
import pytest

from luukku.catalogue.models import Service
from luukku.router import services, training
from luukku.router.models import RouterModel
from luukku.router.ranking import Ranker
from luukku.router.services import Suggestion, needs_triage, suggest

from .conftest import train_and_activate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("message", "language", "expected"),
    [
        ("Haluaisin hakea lapselle päivähoitopaikkaa ensi syksystä", "fi", "varhaiskasvatus"),
        ("lapsel päivähoitopaikka syksyks", "fi", "varhaiskasvatus"),
        ("Tarvitsenko rakennusluvan saunalle?", "fi", "rakennuslupa"),
        ("rakenuslupaa hakemassa omakotitalolle", "fi", "rakennuslupa"),
        ("Katuvalot ei toimi ja katu on tosi liukas", "fi", "katujen-kunnossapito"),
        ("Jäin työttömäksi, miten ilmoittaudun työnhakijaksi?", "fi", "tyonhaku"),
        ("hammasta särkee kamalasti", "fi", "hammashoito"),
        ("Jag behöver en dagisplats för mitt barn", "sv", "varhaiskasvatus"),
        ("Behöver jag bygglov för ett garage?", "sv", "rakennuslupa"),
        ("I was laid off and I am unemployed now", "en", "tyonhaku"),
        ("My library card is lost and I have late fees", "en", "kirjasto"),
    ],
)
def test_clear_messages_put_the_right_service_first(
    trained: RouterModel, message: str, language: str, expected: str
) -> None:
    suggestions = suggest(message, language=language)

    assert suggestions[0].slug == expected, [(s.slug, s.confidence) for s in suggestions]


def test_three_suggestions_best_first_with_names_in_the_language(trained: RouterModel) -> None:
    suggestions = suggest("Jag behöver en dagisplats för mitt barn", language="sv")

    assert len(suggestions) == 3
    assert suggestions[0].name == "Småbarnspedagogik"
    confidences = [suggestion.confidence for suggestion in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert 0 < confidences[-1] <= confidences[0] <= 1
    assert isinstance(suggestions[0].service, Service)


def test_limit_and_empty_text(trained: RouterModel) -> None:
    assert len(suggest("kirja", limit=1)) == 1
    assert len(suggest("kirja", limit=10)) == 6  # every service the model knows
    assert suggest("   ") == []


def test_unknown_language_is_refused(trained: RouterModel) -> None:
    with pytest.raises(services.RouterError, match="Unknown language"):
        suggest("Hallo", language="de")


def test_without_a_model_there_are_no_suggestions_and_the_message_goes_to_triage(
    catalogue: dict[str, Service],
) -> None:
    assert suggest("päivähoitopaikka") == []
    assert needs_triage([]) is True
    with pytest.raises(services.NoActiveModel, match="No router model"):
        services.suggest_or_raise("päivähoitopaikka")


def test_a_newly_activated_version_is_used_at_once(trained: RouterModel) -> None:
    assert services.active_version() == trained.version

    second = train_and_activate()

    assert services.active_version() == second.version == trained.version + 1
    trained.refresh_from_db()
    assert not trained.is_active
    assert RouterModel.objects.filter(is_active=True).count() == 1


def test_the_fast_ranker_gives_the_pipelines_probabilities(catalogue: dict[str, Service]) -> None:
    result = training.train(cross_validation=False)
    ranker = Ranker(result.pipeline)
    for document in [
        ("Haluaisin päivähoitopaikan lapselle", "fi"),
        ("bygglov för bastu", "sv"),
        ("toothache and dentist", "en"),
        ("xyzzy", "fi"),
    ]:
        expected = result.pipeline.predict_proba([document])[0]
        assert np.allclose(ranker.probabilities(document), expected, atol=1e-5)
    assert ranker.classes == list(result.pipeline.classes_)


def _suggestion(service: Service, confidence: float) -> Suggestion:
    return Suggestion(
        service=service, slug=service.slug, name="", organisation=None, confidence=confidence
    )


@pytest.mark.parametrize(
    ("confidences", "expected"),
    [
        ([0.9, 0.05], False),
        ([0.25, 0.1], True),  # unsure
        ([0.5, 0.45], True),  # two services almost equally likely
    ],
)
def test_needs_triage_when_unsure(
    catalogue: dict[str, Service], confidences: list[float], expected: bool
) -> None:
    first, second = catalogue["kirjasto"], catalogue["hammashoito"]
    suggestions = [_suggestion(first, confidences[0]), _suggestion(second, confidences[1])]

    assert needs_triage(suggestions) is expected
