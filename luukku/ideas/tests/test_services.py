"""Staff ideas: what a submission stores and who hears of it, who decides and how."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from luukku.accounts.roles import Role
from luukku.accounts.tests.factories import user_with_role
from luukku.catalogue.models import ServiceOrganisation
from luukku.catalogue.tests.factories import OrganisationFactory, ServiceFactory
from luukku.ideas import services
from luukku.ideas.models import Idea, IdeaComment, IdeaStatusChange, IdeaSupport
from luukku.ideas.services import IdeaError, PersonalDataSuspected
from luukku.ideas.tests.factories import IdeaFactory, service_of
from luukku.notifications.models import Notification

pytestmark = pytest.mark.django_db


def submit(author, services_=None, **fields):
    values: dict[str, Any] = {
        "kind": Idea.Kind.NEED,
        "title": "Perheet eivät löydä neuvolaa",
        "description": "Vanhemmat kysyvät neuvolan aukioloaikoja palvelupisteeltä.",
    }
    values.update(fields)
    return services.submit_idea(
        author=author, services=services_ or [ServiceFactory.create()], **values
    )


def in_app_recipients(kind):
    return set(
        Notification.objects.filter(kind=kind, channel="in_app").values_list(
            "recipient__username", flat=True
        )
    )


def test_a_submitted_idea_reaches_the_managers_of_its_services_and_nobody_else():
    city = OrganisationFactory.create()
    unit = OrganisationFactory.create(parent=city)
    other = OrganisationFactory.create()
    responsible_manager = user_with_role(Role.SERVICE_MANAGER, city, username="vastuu")
    # A manager of the city decides for its units too: the unit produces the second service.
    produced = service_of(unit, ServiceOrganisation.Role.PRODUCER)
    unit_manager = user_with_role(Role.SERVICE_MANAGER, unit, username="yksikko")
    user_with_role(Role.SERVICE_MANAGER, other, username="muu")
    user_with_role(Role.CASE_OWNER, city, username="ei-paattaja")
    author = user_with_role(Role.CUSTOMER_SERVICE_AGENT, city, username="kirjoittaja")

    idea = submit(author, [service_of(city), produced])

    assert in_app_recipients("idea_submitted") == {"vastuu", "yksikko"}
    note = Notification.objects.get(recipient=responsible_manager)
    assert idea.title in note.subject
    assert f"/staff/ideas/{idea.pk}/" in note.body
    assert Notification.objects.filter(recipient=unit_manager).count() == 1
    assert idea.author == author
    assert idea.author_unit == city
    assert list(idea.status_changes.values_list("from_status", "to_status")) == [("", "new")]


def test_identity_codes_are_masked_before_anything_is_stored():
    author = user_with_role(Role.CUSTOMER_SERVICE_AGENT)

    idea = submit(
        author,
        title="Asiakas 131052-308T joutui odottamaan",
        description="Henkilötunnus 131052-308T näkyi lomakkeella.",
    )

    idea.refresh_from_db()
    assert "131052-308T" not in idea.title
    assert "131052-308T" not in idea.description
    assert "******-****" in idea.description


def test_a_phone_number_is_refused_until_the_writer_confirms_it_is_no_customers():
    author = user_with_role(Role.CUSTOMER_SERVICE_AGENT)
    text = "Asiakas pyysi soittamaan numeroon 040 123 4567 kun neuvola aukeaa."

    with pytest.raises(PersonalDataSuspected) as refused:
        submit(author, description=text)

    assert refused.value.field == "description"
    assert not Idea.objects.exists()
    idea = submit(author, description=text, personal_data_checked=True)
    assert idea.description == text


def test_an_idea_needs_a_service_a_title_and_a_description_and_nothing_is_half_written():
    author = user_with_role(Role.CUSTOMER_SERVICE_AGENT)

    with pytest.raises(IdeaError) as no_service:
        services.submit_idea(
            author=author, kind="idea", title="Otsikko", description="Kuvaus", services=[]
        )
    with pytest.raises(IdeaError) as no_title:
        submit(author, title="   ")
    with pytest.raises(IdeaError) as no_text:
        submit(author, description="  ")

    assert (no_service.value.field, no_title.value.field, no_text.value.field) == (
        "services",
        "title",
        "description",
    )
    assert not Idea.objects.exists()
    assert not Notification.objects.exists()


def test_the_author_cannot_name_a_unit_they_do_not_work_in():
    author = user_with_role(Role.CUSTOMER_SERVICE_AGENT)

    with pytest.raises(IdeaError) as refused:
        submit(author, author_unit=OrganisationFactory.create())

    assert refused.value.field == "author_unit"


@pytest.mark.parametrize("status", [Idea.Status.ADOPTED, Idea.Status.DECLINED])
def test_adopting_or_declining_needs_a_reason(status):
    city = OrganisationFactory.create()
    idea = IdeaFactory.create(services=[service_of(city)])
    manager = user_with_role(Role.SERVICE_MANAGER, city)

    with pytest.raises(IdeaError) as refused:
        services.change_status(idea=idea, user=manager, to_status=status, reason="  ")

    assert refused.value.field == "reason"
    idea.refresh_from_db()
    assert idea.status == Idea.Status.NEW
    services.change_status(idea=idea, user=manager, to_status=status, reason="Hyvä syy.")
    idea.refresh_from_db()
    assert (idea.status, idea.decision_reason) == (status, "Hyvä syy.")


def test_a_decision_is_recorded_and_the_author_is_told_with_the_reason():
    city = OrganisationFactory.create()
    idea = IdeaFactory.create(services=[service_of(city)])
    manager = user_with_role(Role.SERVICE_MANAGER, city)

    services.change_status(idea=idea, user=manager, to_status="in_experiment")
    services.change_status(idea=idea, user=manager, to_status="declined", reason="Ei rahaa.")

    history = list(idea.status_changes.values_list("from_status", "to_status", "changed_by"))
    assert history[1:] == [
        ("new", "in_experiment", manager.pk),
        ("in_experiment", "declined", manager.pk),
    ]
    told = Notification.objects.filter(recipient=idea.author, kind="idea_status_changed")
    assert told.count() == 2
    assert "Ei rahaa." in told.order_by("pk")[1].body


def test_an_adopted_idea_cannot_move_again_but_a_declined_one_can_be_taken_up():
    city = OrganisationFactory.create()
    manager = user_with_role(Role.SERVICE_MANAGER, city)
    adopted = IdeaFactory.create(services=[service_of(city)])
    declined = IdeaFactory.create(services=[service_of(city)])
    services.change_status(idea=adopted, user=manager, to_status="adopted", reason="Käyttöön.")
    services.change_status(idea=declined, user=manager, to_status="declined", reason="Ei nyt.")

    with pytest.raises(IdeaError) as refused:
        services.change_status(idea=adopted, user=manager, to_status="new")
    services.change_status(idea=declined, user=manager, to_status="new", reason="Uusi budjetti.")

    assert refused.value.field == "status"
    declined.refresh_from_db()
    assert declined.status == "new"


def test_only_managers_of_the_ideas_services_or_the_region_admin_decide():
    city = OrganisationFactory.create()
    author = user_with_role(Role.CUSTOMER_SERVICE_AGENT, city)
    idea = IdeaFactory.create(author=author, services=[service_of(city)])

    for outsider in (
        user_with_role(Role.CASE_OWNER, city),  # no DECIDE_IDEAS
        user_with_role(Role.SERVICE_MANAGER),  # DECIDE_IDEAS in another organisation
        author,
    ):
        with pytest.raises(PermissionDenied):
            services.change_status(idea=idea, user=outsider, to_status="in_experiment")

    services.change_status(
        idea=idea, user=user_with_role(Role.REGION_ADMIN), to_status="in_experiment"
    )
    assert IdeaStatusChange.objects.filter(idea=idea, to_status="in_experiment").count() == 1


def test_a_colleague_supports_once_and_may_withdraw_but_not_back_their_own_idea():
    author = user_with_role(Role.CUSTOMER_SERVICE_AGENT)
    idea = IdeaFactory.create(author=author)
    colleague = user_with_role(Role.CASE_OWNER)

    assert services.support_idea(idea=idea, user=colleague) is True
    assert services.support_idea(idea=idea, user=colleague) is False
    assert IdeaSupport.objects.filter(idea=idea).count() == 1
    with pytest.raises(IdeaError):
        services.support_idea(idea=idea, user=author)
    assert services.withdraw_support(idea=idea, user=colleague) is True
    assert services.withdraw_support(idea=idea, user=colleague) is False
    assert not IdeaSupport.objects.exists()


def test_comments_are_masked_and_checked_like_ideas():
    idea = IdeaFactory.create()
    colleague = user_with_role(Role.CASE_OWNER)

    with pytest.raises(PersonalDataSuspected):
        services.add_comment(idea=idea, author=colleague, body="Kirjoita osoitteeseen a@b.fi")
    comment = services.add_comment(idea=idea, author=colleague, body="Tunnus 131052-308T")

    assert "131052-308T" not in comment.body
    assert IdeaComment.objects.count() == 1


def test_the_author_edits_while_new_and_managers_of_added_services_hear_of_it():
    city, town = OrganisationFactory.create(), OrganisationFactory.create()
    user_with_role(Role.SERVICE_MANAGER, city, username="kaupunki")
    user_with_role(Role.SERVICE_MANAGER, town, username="kunta")
    first = service_of(city)
    author = user_with_role(Role.CUSTOMER_SERVICE_AGENT, city)
    idea = submit(author, [first])

    services.update_idea(
        idea=idea,
        editor=author,
        kind="idea",
        title="Uusi otsikko",
        description="Tarkempi kuvaus.",
        services=[first, service_of(town)],
    )

    assert in_app_recipients("idea_submitted") == {"kaupunki", "kunta"}
    assert Notification.objects.filter(kind="idea_submitted").count() == 2
    with pytest.raises(PermissionDenied):
        services.update_idea(
            idea=idea,
            editor=user_with_role(Role.CASE_OWNER),
            kind="idea",
            title="x",
            description="y",
            services=[first],
        )
    services.change_status(
        idea=idea, user=user_with_role(Role.REGION_ADMIN), to_status="in_experiment"
    )
    with pytest.raises(IdeaError):
        services.update_idea(
            idea=idea, editor=author, kind="idea", title="x", description="y", services=[first]
        )


def test_an_idea_stays_when_its_author_leaves():
    author = user_with_role(Role.CUSTOMER_SERVICE_AGENT)
    idea = IdeaFactory.create(author=author)

    author.delete()

    idea.refresh_from_db()
    assert idea.author is None
