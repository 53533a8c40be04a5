"""Hand-off batches side by side on PostgreSQL: a batch leaves a request another transaction
holds to that transaction instead of waiting for it, and nothing is opened twice.

SQLite has no row locks (select_for_update is a no-op there), so the question does not arise.
"""

import threading

import pytest
from django.db import connection, transaction

from luukku.cases import tasks
from luukku.cases.models import Case
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.intake.models import ServiceRequest
from luukku.intake.tests.factories import ServiceRequestFactory

from .factories import UnitFactory, staff_member

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: SQLite has no SELECT ... FOR UPDATE, so there is no lock",
    ),
]


def test_a_batch_skips_the_request_another_holds_and_opens_the_rest_without_waiting():
    city = OrganisationFactory.create()
    staff_member(UnitFactory.create(parent=city))
    service = ServiceFactory.create()
    held, free = (
        ServiceRequestFactory.create(service=service, agency_responsible=city) for _ in range(2)
    )
    locked, release = threading.Event(), threading.Event()

    def hold_the_row() -> None:
        try:
            with transaction.atomic():
                ServiceRequest.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_row)
    holder.start()
    try:
        assert locked.wait(timeout=10)
        opened = tasks._open_cases_for([held.pk, free.pk])  # would block here without skipping
    finally:
        release.set()
        holder.join(timeout=30)

    assert opened == 1
    assert list(Case.objects.values_list("service_request_id", flat=True)) == [free.pk]
    assert tasks._open_cases_for([held.pk, free.pk]) == 1  # the held one, once it is free
    assert Case.objects.filter(service_request=held).count() == 1
    assert Case.objects.count() == 2
