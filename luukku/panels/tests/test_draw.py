"""Drawing a panel from a skewed pool through the services: the seed and the report are
recorded, the rest become reserves, and a withdrawal is replaced so the balance returns."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.core.models import AuditEvent
from luukku.panels import services
from luukku.panels.models import Panel, Selection, SelectionMember, Volunteer

from .factories import PanelFactory, VolunteerFactory


def skewed_panel(region, size: int = 10) -> Panel:
    """Many older women from the big town; few men; two young men from the small one."""
    panel = PanelFactory.create(size=size)
    for n in range(30):
        VolunteerFactory.create(
            panel=panel, municipality=region.big, age_band=("65-74", "45-54")[n % 2]
        )
    for band in ("15-24", "25-34", "35-44", "55-64"):
        VolunteerFactory.create(panel=panel, municipality=region.big, age_band=band, sex="male")
        VolunteerFactory.create(panel=panel, municipality=region.middle, age_band=band, sex="male")
        VolunteerFactory.create(panel=panel, municipality=region.middle, age_band=band)
    for _ in range(2):
        VolunteerFactory.create(
            panel=panel, municipality=region.small, age_band="15-24", sex="male"
        )
    return panel


def test_a_draw_from_a_skewed_pool_records_the_seed_and_a_report_closer_than_the_pool(region):
    panel = skewed_panel(region)

    selection = services.draw(panel=panel, actor=None, seed=424242)

    panel.refresh_from_db()
    assert panel.status == Panel.Status.SELECTED
    assert selection.seed == 424242
    assert selection.members.count() == 10
    assert Volunteer.objects.filter(panel=panel, status=Volunteer.Status.SELECTED).count() == 10
    assert Volunteer.objects.filter(panel=panel, status=Volunteer.Status.RESERVE).count() == 34
    report = selection.report
    sexes = {row["value"]: row for row in _dimension(report, "sex")["rows"]}
    assert sexes["male"]["quota"] == 5
    assert sexes["male"]["selected"] == 5  # the pool has 10 men of 44: a random sample gets ~1
    municipalities = {row["value"]: row for row in _dimension(report, "municipality")["rows"]}
    assert municipalities["204"]["quota"] == 1
    assert municipalities["204"]["selected"] == 1
    assert report["total_deviation"] <= 2
    assert AuditEvent.objects.filter(object_id=str(selection.pk), action="create").exists()


def test_the_same_seed_gives_the_same_members(region):
    panel = skewed_panel(region)
    first = services.draw(panel=panel, actor=None, seed=7)
    members = list(first.members.values_list("volunteer_id", "position"))
    Selection.objects.all().delete()
    Volunteer.objects.update(status=Volunteer.Status.VOLUNTEER)
    Panel.objects.filter(pk=panel.pk).update(status=Panel.Status.RECRUITING)

    again = services.draw(panel=panel, actor=None, seed=7)

    assert list(again.members.values_list("volunteer_id", "position")) == members


def test_a_panel_is_drawn_once(region):
    panel = skewed_panel(region)
    services.draw(panel=panel, actor=None)

    with pytest.raises(services.PanelError):
        services.draw(panel=panel, actor=None)
    assert Selection.objects.count() == 1


def test_a_replacement_keeps_the_balance(region):
    panel = skewed_panel(region)
    selection = services.draw(panel=panel, actor=None, seed=11)
    before = selection.report["total_deviation"]
    young_man = SelectionMember.objects.filter(selection=selection, volunteer__sex="male").first()
    assert young_man is not None

    new_member = services.withdraw(member=young_man, actor=None, replace=True, seed=5)

    assert new_member is not None
    assert new_member.position == young_man.position
    assert new_member.replacement_for == young_man
    assert new_member.replacement_seed == 5
    assert new_member.volunteer.sex == "male"
    young_man.volunteer.refresh_from_db()
    assert young_man.volunteer.status == Volunteer.Status.REPLACED
    assert services.refresh_report(selection)["total_deviation"] <= before
    assert len(services.seated(selection)) == 10


def test_a_reserve_whose_contact_details_were_erased_is_never_a_replacement(region):
    panel = skewed_panel(region)
    selection = services.draw(panel=panel, actor=None, seed=11)
    Volunteer.objects.filter(panel=panel, status=Volunteer.Status.RESERVE).update(
        anonymised_at=timezone.now(), email=""
    )
    member = selection.members.all()[0]

    assert services.withdraw(member=member, actor=None, replace=True, seed=5) is None
    assert len(services.seated(selection)) == 9


def test_a_withdrawal_without_replacement_leaves_the_seat_empty(region):
    panel = skewed_panel(region)
    selection = services.draw(panel=panel, actor=None, seed=11)
    member = selection.members.all()[0]

    assert services.withdraw(member=member, actor=None, replace=False) is None
    member.volunteer.refresh_from_db()
    assert member.volunteer.status == Volunteer.Status.WITHDRAWN
    assert len(services.seated(selection)) == 9
    with pytest.raises(services.PanelError):
        services.withdraw(member=member, actor=None)


def _dimension(report: dict, name: str) -> dict:
    return next(d for d in report["dimensions"] if d["dimension"] == name)


def test_the_quota_report_explains_in_words_what_the_pool_could_not_give(client, region):
    panel = PanelFactory.create(size=10)
    for n in range(20):
        VolunteerFactory.create(
            panel=panel, municipality=region.big, age_band=("65-74", "75-")[n % 2]
        )
    VolunteerFactory.create(panel=panel, municipality=region.middle, age_band="25-34", sex="other")
    services.draw(panel=panel, actor=None, seed=3)
    client.force_login(user_with_role(Role.SERVICE_MANAGER, panel.organisation))

    with translation.override("en"):
        page = client.get(reverse("panels_staff:report", args=[panel.pk])).content.decode()

    # Kaavi has 1/12 of the population: quota 1 of 10, and nobody from there signed up.
    assert "Quota 1, but only 0 volunteers from Kaavi; 0 selected." in page
    assert "Quota 5, but only 0 volunteers answered “man”; 0 selected." in page
    assert "1 member answered “other” as their sex." in page
    report = panel.selections.get().report
    assert report["total_deviation"] == sum(d["deviation"] for d in report["dimensions"])
