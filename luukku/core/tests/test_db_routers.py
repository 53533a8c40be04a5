"""Read replicas serve only the reads that ask for them, and never hide a user's own write."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test.utils import CaptureQueriesContext, override_settings

from luukku.catalogue.models import Organisation
from luukku.catalogue.tests.factories import OrganisationFactory
from luukku.core.db_routers import ReplicaRouter, read_replica, replica_aliases, using_replica
from luukku.insights.extract import refresh_extract
from luukku.surveys.tests.factories import AnswerFactory, ResponseFactory, standard_survey

REPLICA = "replica9"
ROUTERS = ["luukku.core.db_routers.ReplicaRouter"]


@pytest.fixture(scope="class")
def replica_alias() -> Iterator[str]:
    """A replica alias that is a second connection to the test database: a MIRROR of default,
    as settings.py makes for DATABASE_REPLICA_URLS under test. Class-scoped so that it exists
    before pytest-django sets up the test's databases."""
    # connections.settings is settings.DATABASES: the router sees the alias as a replica.
    primary = connections[DEFAULT_DB_ALIAS].settings_dict
    connections.settings[REPLICA] = {**primary, "TEST": {**primary["TEST"], "MIRROR": "default"}}
    try:
        yield REPLICA
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def replica(replica_alias: str) -> Iterator[str]:
    with override_settings(DATABASE_ROUTERS=ROUTERS):
        yield replica_alias


def _queries(alias: str) -> CaptureQueriesContext:
    return CaptureQueriesContext(connections[alias])


class TestWithAReplica:
    """Each test reads and writes through the router with one replica configured."""

    @pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
    def test_reads_in_a_replica_block_go_to_the_replica_and_writes_to_default(self, replica):
        organisation: Organisation = OrganisationFactory.create(slug="kuopion-kaupunki")
        assert replica_aliases() == [REPLICA]

        with (
            read_replica() as alias,
            _queries(replica) as on_replica,
            _queries("default") as on_default,
        ):
            assert alias == replica
            names = list(Organisation.objects.values_list("slug", flat=True))
        assert names == ["kuopion-kaupunki"]
        assert len(on_replica.captured_queries) == 1
        assert on_default.captured_queries == []

        with read_replica(), _queries(replica) as on_replica, _queries("default") as on_default:
            read = Organisation.objects.get(pk=organisation.pk)
            assert read._state.db == replica
            read.slug = "kuopio"
            read.save(update_fields=["slug"])
        assert [q["sql"] for q in on_replica.captured_queries if "UPDATE" in q["sql"]] == []
        assert any("UPDATE" in q["sql"] for q in on_default.captured_queries)
        organisation.refresh_from_db()
        assert organisation.slug == "kuopio"

    @pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
    def test_after_a_write_in_the_block_reads_stay_on_default(self, replica):
        """Read-your-writes: a lagging replica might not have the row just written."""
        with read_replica(), _queries(replica) as on_replica:
            OrganisationFactory(slug="siilinjarvi")
            assert Organisation.objects.all().db == DEFAULT_DB_ALIAS
            assert Organisation.objects.filter(slug="siilinjarvi").exists()
        assert on_replica.captured_queries == []

    @pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
    def test_reads_outside_a_replica_block_stay_on_default(self, replica):
        OrganisationFactory()
        with _queries(replica) as on_replica:
            assert Organisation.objects.count() == 1
        assert on_replica.captured_queries == []
        assert Organisation.objects.all().db == DEFAULT_DB_ALIAS
        with read_replica():
            assert Organisation.objects.all().db == replica
            with read_replica() as inner:
                assert inner == replica
        assert router.db_for_read(Organisation) == DEFAULT_DB_ALIAS

    @pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
    def test_a_transaction_on_default_reads_its_own_rows_even_in_a_replica_block(self, replica):
        with transaction.atomic():
            OrganisationFactory(slug="uncommitted")
            with read_replica() as alias:
                assert alias == DEFAULT_DB_ALIAS
                assert Organisation.objects.filter(slug="uncommitted").exists()
            assert using_replica(Organisation.objects.all()).db == DEFAULT_DB_ALIAS
        assert using_replica(Organisation.objects.all()).db == replica

    @pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
    def test_the_insights_extract_refresh_reads_from_the_replica(self, replica, tmp_path):
        survey = standard_survey()
        response = ResponseFactory.create(survey=survey)
        AnswerFactory.create(
            response=response, question=survey.questions.get(code="overall"), number=4
        )
        with _queries(replica) as on_replica, _queries("default") as on_default:
            summary = refresh_extract(tmp_path / "insights.duckdb")
        assert (summary.responses, summary.scores) == (1, 1)
        assert len(on_replica.captured_queries) >= 3
        assert on_default.captured_queries == []


@pytest.mark.django_db
def test_without_replicas_everything_is_default():
    assert replica_aliases() == []
    OrganisationFactory()
    with override_settings(DATABASE_ROUTERS=ROUTERS), read_replica() as alias:
        assert alias == DEFAULT_DB_ALIAS
        assert Organisation.objects.all().db == DEFAULT_DB_ALIAS
        assert using_replica(Organisation.objects.all()).count() == 1
        assert router.db_for_write(Organisation) == DEFAULT_DB_ALIAS


def test_migrations_run_only_on_default_and_relations_cross_replicas(replica):
    replica_router = ReplicaRouter()
    assert replica_router.allow_migrate(DEFAULT_DB_ALIAS, "catalogue") is True
    assert replica_router.allow_migrate(replica, "catalogue") is False
    on_default, on_replica = Organisation(), Organisation()
    on_default._state.db, on_replica._state.db = DEFAULT_DB_ALIAS, replica
    assert replica_router.allow_relation(on_default, on_replica) is True
    on_replica._state.db = "elsewhere"
    assert replica_router.allow_relation(on_default, on_replica) is None
