"""The public pages show only what is meant to be public; retention erases contact details on
time and keeps the background for counts."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from luukku.panels import services
from luukku.panels.models import Panel, PanelSession, Recommendation, Volunteer
from luukku.panels.tasks import apply_retention, erase_due

from .factories import PanelFactory, VolunteerFactory


def test_only_published_recommendations_are_on_the_public_page(client, region):
    panel = PanelFactory.create()
    session = PanelSession.objects.create(panel=panel, starts_at=timezone.now(), place="Kuopio")
    Recommendation.objects.create(
        session=session,
        text="Julkaistu suositus",
        response="Julkaistu vastaus",
        responded_at=timezone.now(),
        published_at=timezone.now(),
    )
    Recommendation.objects.create(
        session=session, text="Keskeneräinen suositus", response="Luonnos"
    )

    content = client.get(reverse("panels:recommendations")).content.decode()

    assert "Julkaistu suositus" in content
    assert "Julkaistu vastaus" in content
    assert "Keskeneräinen suositus" not in content
    assert "Luonnos" not in content


def test_the_public_list_shows_open_panels_only(client, region):
    open_panel = PanelFactory.create()
    closed = PanelFactory.create(signup_until=timezone.localdate() - timedelta(days=1))

    content = client.get(reverse("panels:list")).content.decode()

    assert open_panel.name_fi in content
    assert closed.name_fi not in content
    assert client.get(reverse("panels:signup", args=[closed.pk])).status_code == 410


def test_the_thank_you_page_is_for_the_browser_that_signed_up(client, region):
    panel = PanelFactory.create()

    response = client.get(reverse("panels:thanks", args=[panel.pk]))

    assert response.status_code == 302


def test_never_drawn_volunteers_are_erased_after_the_draw_and_the_rest_after_closing(region):
    panel = PanelFactory.create(size=1, retention_days=30)
    member = VolunteerFactory.create(panel=panel, municipality=region.big, guardian_name="Huoltaja")
    reserve = VolunteerFactory.create(panel=panel, municipality=region.big, phone="040 123 4567")
    selection = services.draw(panel=panel, actor=None, seed=1)
    chosen = selection.members.get().volunteer
    other = reserve if chosen == member else member
    now = timezone.now()

    assert erase_due(now=now + timedelta(days=29)) == 0
    assert erase_due(now=now + timedelta(days=31)) == 1
    other.refresh_from_db()
    assert (other.name, other.email, other.phone, other.birth_year, other.guardian_name) == (
        "–",
        "",
        "",
        None,
        "",
    )
    assert other.age_band == "45-54"
    assert other.municipality == region.big
    chosen.refresh_from_db()
    assert chosen.email

    services.close_panel(panel=panel, actor=None)
    Panel.objects.filter(pk=panel.pk).update(closed_at=now - timedelta(days=31))
    assert apply_retention() == 1
    chosen.refresh_from_db()
    assert chosen.email == ""
    assert chosen.anonymised_at is not None
    assert Volunteer.objects.filter(panel=panel).count() == 2
    assert apply_retention() == 0


def test_volunteers_of_a_panel_never_drawn_are_erased_after_sign_up_closed(region):
    today = timezone.localdate()
    forgotten = PanelFactory.create(retention_days=30, signup_until=today - timedelta(days=31))
    recent = PanelFactory.create(retention_days=30, signup_until=today - timedelta(days=30))
    old = VolunteerFactory.create(panel=forgotten, municipality=region.big)
    young = VolunteerFactory.create(panel=recent, municipality=region.big)

    assert erase_due(now=timezone.now()) == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.name, old.email, old.anonymised_at is not None) == ("–", "", True)
    assert young.email
