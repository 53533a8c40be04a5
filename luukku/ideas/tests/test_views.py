"""Staff idea pages: who may see and do what, the lists' filters, and their query counts."""

import pytest
from django.urls import reverse

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.ideas.models import Idea
from luukku.ideas.tests.factories import (
    IdeaCommentFactory,
    IdeaFactory,
    IdeaSupportFactory,
    service_of,
)

pytestmark = pytest.mark.django_db

LIST = reverse("ideas:list")


def titles(response):
    return [idea.title for idea in response.context["page"]]


@pytest.fixture
def city():
    return OrganisationFactory.create()


@pytest.fixture
def idea(city):
    return IdeaFactory.create(title="Iltavastaanotto", services=[service_of(city)])


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("ideas:list", "get"),
        ("ideas:submit", "get"),
        ("ideas:detail", "get"),
        ("ideas:comment", "post"),
        ("ideas:support", "post"),
        ("ideas:decide", "post"),
        ("ideas:edit", "get"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, idea, name, method):
    args = [] if name in ("ideas:list", "ideas:submit") else [idea.pk]

    response = getattr(client, method)(reverse(name, args=args))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_every_staff_member_reads_ideas_of_every_organisation(client, idea):
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT))

    listed = client.get(LIST)
    page = client.get(reverse("ideas:detail", args=[idea.pk]))

    assert titles(listed) == ["Iltavastaanotto"]
    assert page.status_code == 200
    assert b"Iltavastaanotto" in page.content
    assert page.context["status_form"] is None


def test_a_staff_member_without_a_deciding_role_cannot_change_the_status(client, city, idea):
    client.force_login(user_with_role(Role.UNIT_LEAD, city))

    response = client.post(
        reverse("ideas:decide", args=[idea.pk]), {"status": "declined", "reason": "Ei."}
    )

    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.status == Idea.Status.NEW


def test_a_manager_of_another_organisation_cannot_change_the_status(client, idea):
    client.force_login(user_with_role(Role.SERVICE_MANAGER))

    response = client.post(
        reverse("ideas:decide", args=[idea.pk]), {"status": "declined", "reason": "Ei."}
    )

    assert response.status_code == 403
    idea.refresh_from_db()
    assert idea.status == Idea.Status.NEW


def test_a_manager_of_the_responsible_organisation_decides(client, city, idea):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, city))

    page = client.get(reverse("ideas:detail", args=[idea.pk]))
    response = client.post(
        reverse("ideas:decide", args=[idea.pk]),
        {"status": "adopted", "reason": "Kokeilu onnistui."},
        follow=True,
    )

    assert page.context["status_form"] is not None
    assert response.redirect_chain[-1][0] == reverse("ideas:detail", args=[idea.pk])
    idea.refresh_from_db()
    assert (idea.status, idea.decision_reason) == ("adopted", "Kokeilu onnistui.")
    assert "Kokeilu onnistui." in response.content.decode()


def test_declining_without_a_reason_shows_the_error_on_the_reason(client, city, idea):
    client.force_login(user_with_role(Role.SERVICE_MANAGER, city))

    response = client.post(reverse("ideas:decide", args=[idea.pk]), {"status": "declined"})

    assert response.status_code == 400
    assert response.context["status_form"].errors["reason"]
    assert b"error-summary" in response.content
    idea.refresh_from_db()
    assert idea.status == "new"


def test_a_staff_member_logs_an_idea_through_the_form(client, city):
    service = service_of(city)
    manager = user_with_role(Role.SERVICE_MANAGER, city)
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT, city))

    form = client.get(reverse("ideas:submit"), {"service": service.slug})
    response = client.post(
        reverse("ideas:submit"),
        {
            "kind": "need",
            "title": "Ajanvaraus illalla",
            "description": "Työssäkäyvät kysyvät iltavastaanottoa.",
            "services": [service.pk],
        },
    )

    assert service.pk in form.context["chosen_services"]
    idea = Idea.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ideas:detail", args=[idea.pk])
    assert list(idea.services.all()) == [service]
    assert manager.notifications.filter(kind="idea_submitted").exists()


def test_the_form_says_what_is_missing_and_asks_to_check_a_phone_number(client):
    service = ServiceFactory.create()
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT))

    empty = client.post(reverse("ideas:submit"), {})
    phone = client.post(
        reverse("ideas:submit"),
        {
            "kind": "idea",
            "title": "Soittopyyntö",
            "description": "Asiakas 040 123 4567 odotti.",
            "services": [service.pk],
        },
    )

    assert empty.status_code == 400
    assert set(empty.context["form"].errors) >= {"kind", "title", "description", "services"}
    assert phone.status_code == 400
    assert phone.context["show_personal_data_check"]
    assert "personal_data_checked" in phone.context["form"].errors
    assert b'name="personal_data_checked"' in phone.content
    assert not Idea.objects.exists()


def test_a_pasted_identity_code_is_masked_and_the_writer_is_told(client):
    service = ServiceFactory.create()
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT))

    response = client.post(
        reverse("ideas:submit"),
        {
            "kind": "idea",
            "title": "Lomake",
            "description": "Tunnus 131052-308T jäi lomakkeelle.",
            "services": [service.pk],
        },
        follow=True,
    )

    assert "131052-308T" not in response.content.decode()
    assert "131052-308T" not in Idea.objects.get().description
    assert any(m.level_tag == "warning" for m in response.context["messages"])


def test_only_the_author_edits_and_only_while_the_idea_is_new(client, city, idea):
    edit = reverse("ideas:edit", args=[idea.pk])
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT))
    assert client.get(edit).status_code == 403

    client.force_login(idea.author)
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "kind": "need",
            "title": "Iltavastaanotto kirjastossa",
            "description": "Tarkennettu.",
            "services": [s.pk for s in idea.services.all()],
        },
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.title == "Iltavastaanotto kirjastossa"

    idea.status = "in_experiment"
    idea.save(update_fields=["status"])
    assert client.get(edit)["Location"] == reverse("ideas:detail", args=[idea.pk])


def test_support_and_comment_from_the_idea_page(client, idea):
    colleague = user_with_role(Role.CASE_OWNER)
    client.force_login(colleague)
    page = reverse("ideas:detail", args=[idea.pk])

    client.post(reverse("ideas:support", args=[idea.pk]), {"action": "support"})
    client.post(reverse("ideas:support", args=[idea.pk]), {"action": "support"})
    client.post(reverse("ideas:comment", args=[idea.pk]), {"body": "Sama täällä."})
    supported = client.get(page)
    client.post(reverse("ideas:support", args=[idea.pk]), {"action": "withdraw"})
    withdrawn = client.get(page)

    assert supported.context["idea"].support_count == 1
    assert supported.context["idea"].supported_by_me
    assert "Sama täällä." in supported.content.decode()
    assert withdrawn.context["idea"].support_count == 0
    assert not withdrawn.context["idea"].supported_by_me


def test_the_list_filters_by_status_kind_service_and_tab(client, city):
    service = service_of(city)
    manager = user_with_role(Role.SERVICE_MANAGER, city)
    IdeaFactory.create(title="Uusi", services=[service])
    IdeaFactory.create(title="Tarve", kind="need")
    IdeaFactory.create(title="Hylätty", status="declined", decision_reason="Ei.")
    IdeaFactory.create(title="Oma", author=manager)
    client.force_login(manager)

    assert set(titles(client.get(LIST))) == {"Uusi", "Tarve", "Hylätty", "Oma"}
    assert titles(client.get(LIST, {"status": "declined"})) == ["Hylätty"]
    assert titles(client.get(LIST, {"kind": "need"})) == ["Tarve"]
    assert titles(client.get(LIST, {"service": service.slug})) == ["Uusi"]
    assert titles(client.get(LIST, {"tab": "mine"})) == ["Oma"]
    assert titles(client.get(LIST, {"tab": "my_services"})) == ["Uusi"]
    # An unknown filter value filters nothing rather than failing.
    assert len(titles(client.get(LIST, {"status": "bogus"}))) == 4


def test_only_deciders_get_the_for_my_services_tab(client):
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT))

    response = client.get(LIST, {"tab": "my_services"})

    assert response.context["tab"] == "all"
    assert "my_services" not in [name for name, _label in response.context["tabs"]]


def test_the_list_sorts_by_support(client):
    quiet = IdeaFactory.create(title="Hiljainen")
    popular = IdeaFactory.create(title="Suosittu")
    IdeaSupportFactory.create_batch(3, idea=popular)
    IdeaSupportFactory.create(idea=quiet)
    client.force_login(user_with_role(Role.CUSTOMER_SERVICE_AGENT))

    newest = titles(client.get(LIST))
    supported = titles(client.get(LIST, {"sort": "support"}))

    assert newest == ["Suosittu", "Hiljainen"]
    IdeaFactory.create(title="Tuorein")
    assert titles(client.get(LIST, {"sort": "support"}))[0] == supported[0] == "Suosittu"


def test_the_list_and_the_idea_page_read_in_a_fixed_number_of_queries(
    client, django_assert_max_num_queries
):
    def build(count):
        for _ in range(count):
            idea = IdeaFactory.create(services=[ServiceFactory.create(), ServiceFactory.create()])
            IdeaSupportFactory.create(idea=idea)
            IdeaCommentFactory.create(idea=idea)
        return idea

    user = user_with_role(Role.SERVICE_MANAGER)
    client.force_login(user)
    build(2)
    with django_assert_max_num_queries(20) as few:
        client.get(LIST, {"sort": "support"})
    last = build(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(LIST, {"sort": "support"})
    IdeaCommentFactory.create_batch(5, idea=last)
    with django_assert_max_num_queries(20):
        client.get(reverse("ideas:detail", args=[last.pk]))


def test_only_the_region_admin_sees_ideas_in_the_admin_and_may_remove_one(client, idea):
    url = reverse("admin:ideas_idea_delete", args=[idea.pk])
    manager = user_with_role(Role.SERVICE_MANAGER, is_staff=True)
    client.force_login(manager)
    assert client.get(url).status_code == 403

    client.force_login(user_with_role(Role.REGION_ADMIN, is_staff=True))
    assert client.get(reverse("admin:ideas_idea_change", args=[idea.pk])).status_code == 200
    client.post(url, {"post": "yes"})

    assert not Idea.objects.filter(pk=idea.pk).exists()
