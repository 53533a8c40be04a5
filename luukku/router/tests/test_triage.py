"""The triage queue: unsure messages wait for a person, whose decision teaches the next model."""

from __future__ import annotations

import pytest

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.models import Service
from luukku.router import services, training
from luukku.router.models import RouterModel, RoutingExample, TriageItem

from .conftest import train_and_activate

pytestmark = pytest.mark.django_db

# A word no catalogue text has: only a person's decision can teach the router what it means.
NEW_WORD_MESSAGE = "Zorblattikone pitää taas kummallista ääntä"


def test_a_decision_becomes_an_example_and_the_next_model_learns_it(
    trained: RouterModel, catalogue: dict[str, Service]
) -> None:
    suggestions = services.suggest(NEW_WORD_MESSAGE)
    assert services.needs_triage(suggestions)
    item = services.send_to_triage(
        text=NEW_WORD_MESSAGE,
        language="fi",
        suggestions=suggestions,
        source="service_request",
        source_id="261125-ABC123",
    )
    assert item.status == TriageItem.Status.WAITING
    assert [row["slug"] for row in item.suggestions] == [s.slug for s in suggestions]
    person = user_with_role(Role.CUSTOMER_SERVICE_AGENT)

    services.decide_triage(item=item, service=catalogue["kirjasto"], decided_by=person)

    item.refresh_from_db()
    assert item.status == TriageItem.Status.DECIDED
    assert item.decided_service == catalogue["kirjasto"]
    assert item.decided_by == person
    assert item.decided_at is not None
    example = RoutingExample.objects.get()
    assert (example.text, example.service, example.source) == (
        NEW_WORD_MESSAGE,
        catalogue["kirjasto"],
        RoutingExample.Source.TRIAGE,
    )

    retrained = train_and_activate()

    assert retrained.report["examples"]["by_source"]["triage"] == 1
    assert services.suggest("zorblattikone")[0].slug == "kirjasto"


def test_the_same_message_is_queued_once(catalogue: dict[str, Service]) -> None:
    first = services.send_to_triage(
        text="epäselvä", language="fi", suggestions=[], source="case", source_id="17"
    )
    again = services.send_to_triage(
        text="epäselvä", language="fi", suggestions=[], source="case", source_id="17"
    )

    assert first.pk == again.pk
    assert TriageItem.objects.count() == 1


def test_a_decided_item_cannot_be_decided_again(catalogue: dict[str, Service]) -> None:
    item = services.send_to_triage(
        text="epäselvä", language="fi", suggestions=[], source="case", source_id="18"
    )
    person = user_with_role(Role.CUSTOMER_SERVICE_AGENT)
    services.decide_triage(item=item, service=catalogue["kirjasto"], decided_by=person)

    with pytest.raises(services.RouterError, match="already been routed"):
        services.decide_triage(item=item, service=catalogue["hammashoito"], decided_by=person)
    assert RoutingExample.objects.get().service == catalogue["kirjasto"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"text": "  ", "language": "fi", "source": "case"}, "text"),
        ({"text": "viesti", "language": "de", "source": "case"}, "language"),
        ({"text": "viesti", "language": "fi", "source": "rumour"}, "source"),
    ],
)
def test_record_example_refuses_bad_input(
    catalogue: dict[str, Service], fields: dict[str, str], field: str
) -> None:
    with pytest.raises(services.RouterError) as raised:
        services.record_example(service=catalogue["kirjasto"], **fields)
    assert raised.value.field == field
    assert not RoutingExample.objects.exists()


def test_record_example_keeps_one_row_per_message_and_service(
    catalogue: dict[str, Service],
) -> None:
    first = services.record_example(
        text="Kirja  on hukassa", service=catalogue["kirjasto"], language="fi", source="case"
    )
    again = services.record_example(
        text="Kirja on hukassa", service=catalogue["kirjasto"], language="fi", source="triage"
    )

    assert first.pk == again.pk
    assert again.source == RoutingExample.Source.CASE


def test_training_report_counts_examples_by_source_and_service(
    catalogue: dict[str, Service],
) -> None:
    services.record_example(
        text="Lainasin kirjan", service=catalogue["kirjasto"], language="fi", source="demo"
    )
    result = training.train(cross_validation=False)

    examples = result.report["examples"]
    assert examples["by_source"]["demo"] == 1
    assert examples["by_source"]["catalogue"] > 30
    assert set(examples["by_service"]) == set(catalogue)
    assert result.report["features"]["characters"] > 0
    assert result.report["features"]["lemmas"] > 0
