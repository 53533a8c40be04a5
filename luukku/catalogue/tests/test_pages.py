"""The public catalogue pages as a resident meets them, in Finnish, Swedish and English."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from luukku.catalogue import selectors
from luukku.catalogue.models import LifeEvent, MobileStop, ServiceChannel, ServiceText
from luukku.catalogue.search import index_services
from luukku.catalogue.selectors import Tier, channel_tier, next_mobile_stop, service_tiers
from luukku.catalogue.tests.factories import (
    LifeEventFactory,
    MobileStopFactory,
    ServiceChannelFactory,
    ServiceFactory,
    ServiceHoursFactory,
)
from luukku.catalogue.tests.page_data import PageCatalogue, build_page_catalogue

HELSINKI = ZoneInfo("Europe/Helsinki")


@pytest.fixture
def catalogue(db) -> PageCatalogue:
    return build_page_catalogue()


def url(name: str, language: str, *args: object) -> str:
    with translation.override(language):
        return reverse(name, args=args)


def html_lang(content: bytes) -> str:
    match = re.search(rb'<html lang="([a-z]+)">', content)
    assert match is not None
    return match.group(1).decode()


# --- Languages -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "prefix", "name", "life_event"),
    [
        ("fi", "/", "Rakennuslupa", "Asuminen"),
        ("sv", "/sv/", "Bygglov", "Boende"),
        ("en", "/en/", "Building permit", "Housing"),
    ],
)
def test_service_page_speaks_the_language_of_its_address(
    client, catalogue, language, prefix, name, life_event
):
    page_url = url("catalogue:service", language, "rakennuslupa")
    assert page_url == f"{prefix}palvelut/rakennuslupa/"

    response = client.get(page_url)

    assert response.status_code == 200
    assert html_lang(response.content) == language
    html = response.content.decode()
    assert f"<h1>{name}</h1>" in html
    assert life_event in html


def test_a_text_missing_in_swedish_falls_back_to_finnish(client, catalogue):
    response = client.get(url("catalogue:service", "sv", "kaavoitus"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Kaavoitus</h1>" in html
    assert "Asemakaavat ja yleiskaavat." in html


def test_language_switch_links_to_the_same_page_in_each_language(client, catalogue):
    response = client.get(url("catalogue:search", "fi") + "?q=rakennuslupa")

    html = response.content.decode()
    switch = html[html.index('class="language-switch"') :]
    switch = switch[: switch.index("</nav>")]
    assert 'href="/sv/haku/?q=rakennuslupa" lang="sv" hreflang="sv">Svenska</a>' in switch
    assert 'href="/en/haku/?q=rakennuslupa" lang="en" hreflang="en">English</a>' in switch
    assert 'href="/haku/?q=rakennuslupa" lang="fi" hreflang="fi" aria-current="true">' in switch


@pytest.mark.parametrize(
    ("path", "heading", "skip_link"),
    [
        ("/", "Löydä oikea palvelu", "Siirry pääsisältöön"),
        ("/sv/", "Hitta rätt tjänst", "Hoppa till huvudinnehållet"),
        ("/en/", "Find the right service", "Skip to main content"),
    ],
)
def test_the_interface_is_translated(client, catalogue, path, heading, skip_link):
    html = client.get(path).content.decode()

    assert f"<h1>{heading}</h1>" in html
    assert f'<a class="skip-link" href="#main">{skip_link}</a>' in html


def test_the_swedish_home_page_lists_life_events_in_swedish(client, catalogue):
    response = client.get("/sv/")

    assert html_lang(response.content) == "sv"
    assert "Boende" in response.content.decode()
    assert 'href="/sv/elamantilanteet/KE4/"' in response.content.decode()


# --- The tier rule -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("channel_type", "is_mobile", "tier"),
    [
        (ServiceChannel.Type.E_CHANNEL, False, Tier.SELF_SERVICE),
        (ServiceChannel.Type.WEB_PAGE, False, Tier.SELF_SERVICE),
        (ServiceChannel.Type.PHONE, False, Tier.VIRTUAL),
        (ServiceChannel.Type.PRINTABLE_FORM, False, Tier.VIRTUAL),
        (ServiceChannel.Type.SERVICE_LOCATION, False, Tier.FACE_TO_FACE),
        (ServiceChannel.Type.SERVICE_LOCATION, True, Tier.FACE_TO_FACE),
    ],
)
def test_each_channel_type_belongs_to_one_tier(channel_type, is_mobile, tier):
    assert channel_tier(channel_type, is_mobile=is_mobile) == tier


def test_an_unknown_channel_type_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="Chat"):
        channel_tier("Chat")


def test_service_tiers_are_listed_lightest_first_without_repeats():
    channels = [
        ServiceChannel(channel_type=ServiceChannel.Type.SERVICE_LOCATION),
        ServiceChannel(channel_type=ServiceChannel.Type.PHONE),
        ServiceChannel(channel_type=ServiceChannel.Type.WEB_PAGE),
        ServiceChannel(channel_type=ServiceChannel.Type.E_CHANNEL),
    ]

    assert [badge.code for badge in service_tiers(channels)] == [
        Tier.SELF_SERVICE,
        Tier.VIRTUAL,
        Tier.FACE_TO_FACE,
    ]


def test_service_page_explains_every_tier_its_channels_offer(client, catalogue):
    html = client.get(url("catalogue:service", "en", "rakennuslupa")).content.decode()

    assert "Self-service" in html
    assert "Remote" in html
    assert "Face to face" in html


def test_a_phone_only_service_is_not_offered_as_self_service(client, catalogue):
    html = client.get(url("catalogue:service", "en", "kaavoitus")).content.decode()

    assert "tier--virtual" in html
    assert "tier--self-service" not in html
    assert "tier--face-to-face" not in html


# --- Next mobile van stop ------------------------------------------------------------------


def stop(weekday: int, arrives: time, departs: time, place: str = "Kylätalo") -> MobileStop:
    return MobileStop(weekday=weekday, arrives=arrives, departs=departs, place=place)


def helsinki(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=HELSINKI)


def test_next_stop_later_this_week():
    # Monday 2026-11-23 at noon; the van comes on Thursday.
    upcoming = next_mobile_stop([stop(3, time(9), time(11))], now=helsinki(2026, 11, 23, 12))

    assert upcoming is not None
    assert upcoming.arrives_at == helsinki(2026, 11, 26, 9)
    assert upcoming.departs_at == helsinki(2026, 11, 26, 11)
    assert not upcoming.is_now


def test_a_stop_later_today_is_the_next_one():
    upcoming = next_mobile_stop([stop(0, time(14), time(16))], now=helsinki(2026, 11, 23, 12))

    assert upcoming is not None
    assert upcoming.arrives_at == helsinki(2026, 11, 23, 14)


def test_the_van_that_is_there_right_now_counts_as_the_next_stop():
    upcoming = next_mobile_stop([stop(0, time(10), time(13))], now=helsinki(2026, 11, 23, 12))

    assert upcoming is not None
    assert upcoming.is_now
    assert upcoming.departs_at == helsinki(2026, 11, 23, 13)


def test_a_stop_that_already_left_today_comes_again_next_week():
    upcoming = next_mobile_stop([stop(0, time(9), time(11))], now=helsinki(2026, 11, 23, 12))

    assert upcoming is not None
    assert upcoming.arrives_at == helsinki(2026, 11, 30, 9)
    assert not upcoming.is_now


def test_next_stop_wraps_round_from_sunday_to_monday():
    # Sunday 2026-11-29 evening; the only stop is on Monday.
    upcoming = next_mobile_stop([stop(0, time(9), time(11))], now=helsinki(2026, 11, 29, 20))

    assert upcoming is not None
    assert upcoming.arrives_at == helsinki(2026, 11, 30, 9)


def test_the_earliest_of_several_stops_wins():
    stops = [
        stop(4, time(9), time(11), "Perjantai"),
        stop(1, time(13), time(14), "Tiistai"),
        stop(0, time(8), time(9), "Maanantai"),
    ]

    upcoming = next_mobile_stop(stops, now=helsinki(2026, 11, 23, 12))

    assert upcoming is not None
    assert upcoming.stop.place == "Tiistai"


def test_the_weekday_is_taken_in_helsinki_time_not_utc():
    # 22:30 UTC on Monday is already 00:30 on Tuesday in Helsinki.
    now = datetime(2026, 11, 23, 22, 30, tzinfo=UTC)

    upcoming = next_mobile_stop([stop(1, time(9), time(11))], now=now)

    assert upcoming is not None
    assert upcoming.arrives_at == helsinki(2026, 11, 24, 9)


def test_no_stops_means_no_next_stop():
    assert next_mobile_stop([], now=helsinki(2026, 11, 23, 12)) is None


def test_service_page_shows_the_next_stop_in_the_chosen_municipality(client, catalogue):
    response = client.get(url("catalogue:service", "fi", "rakennuslupa") + "?municipality=140")

    html = response.content.decode()
    assert "Runnin kylätalo" in html
    assert '<option value="140" selected>Iisalmi</option>' in html
    next_stop = html[html.index('class="van__next"') :]
    assert "Vehmersalmen kirjasto" not in next_stop[: next_stop.index("</p>")]


def test_the_chosen_municipality_is_remembered_for_the_next_page(client, catalogue):
    client.get(url("catalogue:service", "fi", "rakennuslupa") + "?municipality=297")

    html = client.get(url("catalogue:service", "en", "rakennuslupa")).content.decode()

    assert '<option value="297" selected>Kuopio</option>' in html
    next_stop = html[html.index('class="van__next"') :]
    assert "Vehmersalmen kirjasto" in next_stop[: next_stop.index("</p>")]


def test_a_municipality_without_stops_is_told_so(client, catalogue):
    html = client.get(
        url("catalogue:service", "en", "rakennuslupa") + "?municipality=915"
    ).content.decode()

    assert "The mobile service van does not stop in Varkaus." in html


def test_an_unknown_municipality_code_is_ignored(client, catalogue):
    response = client.get(url("catalogue:service", "en", "rakennuslupa") + "?municipality=x1")

    assert response.status_code == 200
    assert "Choose your municipality to see when the van next stops there." in (
        response.content.decode()
    )


# --- Opening hours --------------------------------------------------------------------------


def test_evening_hours_are_marked_and_shown(client, catalogue):
    html = client.get(url("catalogue:service", "en", "rakennuslupa")).content.decode()

    tuesday = html[html.index('<th scope="row">Tuesday') :]
    tuesday = tuesday[: tuesday.index("</tr>")]
    assert "7 p.m." in tuesday
    assert "open in the evening" in tuesday
    monday = html[html.index('<th scope="row">Monday') :]
    assert "open in the evening" not in monday[: monday.index("</tr>")]


def test_todays_opening_hours_are_highlighted(client, catalogue):
    office = ServiceChannel.objects.get(slug="kuopion-rakennusvalvonta")
    for weekend_day in (5, 6):  # so that there is a row for today whatever day the test runs
        ServiceHoursFactory.create(
            channel=office, weekday=weekend_day, opens="10:00", closes="14:00"
        )
    today = timezone.localdate(timezone.now())

    html = client.get(url("catalogue:service", "en", "rakennuslupa")).content.decode()

    assert html.count('<tr class="hours__today">') == 1
    row = html[html.index('<tr class="hours__today">') :]
    row = row[: row.index("</tr>")]
    assert today.strftime("%A") in row
    assert "today" in row


def test_weekly_hours_mark_today_and_the_evening(db):
    channel = ServiceChannelFactory.create()
    ServiceHoursFactory.create(channel=channel, weekday=1, opens=time(8), closes=time(18))
    ServiceHoursFactory.create(channel=channel, weekday=2, opens=time(8), closes=time(16))
    ServiceHoursFactory.create(channel=channel, weekday=3, is_closed=True, opens=None, closes=None)

    days = selectors.weekly_hours(channel, today=date(2026, 11, 25))  # a Wednesday

    assert [(d.weekday, d.is_today, d.is_evening, d.closed) for d in days] == [
        (1, False, True, False),
        (2, True, False, False),
        (3, False, False, True),
    ]


# --- Who provides -----------------------------------------------------------------------------


def test_service_page_names_who_is_responsible_and_who_produces(client, catalogue):
    html = client.get(url("catalogue:service", "en", "rakennuslupa")).content.decode()

    assert "Responsible for the service" in html
    assert "City of Kuopio" in html
    assert "Building Control Ltd (purchased service)" in html
    assert "017 182 111" in html
    assert "Suokatu 42" in html
    assert 'href="https://www.lupapiste.fi/"' in html


def test_a_channel_address_that_is_not_a_web_address_is_not_linked(client, catalogue):
    ServiceChannel.objects.filter(slug="lupapiste").update(url="javascript:alert(1)")

    html = client.get(url("catalogue:service", "en", "rakennuslupa")).content.decode()

    assert "javascript:" not in html


def test_further_texts_are_shown_under_their_own_headings(client, catalogue):
    ServiceText.objects.create(
        service=catalogue.permit,
        kind=ServiceText.Kind.PROCESSING_TIME,
        language="en",
        value="About four weeks.",
    )
    ServiceText.objects.create(
        service=catalogue.permit,
        kind=ServiceText.Kind.USER_INSTRUCTION,
        language="fi",
        value="Hae lupaa Lupapisteessä.",
    )

    english = client.get(url("catalogue:service", "en", "rakennuslupa")).content.decode()
    finnish = client.get(url("catalogue:service", "fi", "rakennuslupa")).content.decode()

    assert "Processing time</h2>" in english
    assert "About four weeks." in english
    assert "How to use the service</h2>" in english  # falls back to the Finnish text
    assert "Hae lupaa Lupapisteessä." in english
    assert "Näin käytät palvelua</h2>" in finnish
    assert "Käsittelyaika</h2>" not in finnish  # no Finnish processing time given


def test_unknown_service_is_404(client, db):
    assert client.get(url("catalogue:service", "fi", "ei-ole")).status_code == 404


# --- Search -----------------------------------------------------------------------------------


def test_search_shows_name_summary_tier_and_link(client, catalogue):
    response = client.get(url("catalogue:search", "fi") + "?q=rakennuslupa")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a href="/palvelut/rakennuslupa/">Rakennuslupa</a>' in html
    assert "Lupa rakentaa tai laajentaa rakennusta." in html
    assert "tier--self-service" in html


def test_search_in_english_finds_the_english_name(client, catalogue):
    html = client.get(url("catalogue:search", "en") + "?q=building+permit").content.decode()

    assert '<a href="/en/palvelut/rakennuslupa/">Building permit</a>' in html


def test_nothing_found_gives_advice_and_browse_links(client, catalogue):
    html = client.get(url("catalogue:search", "en") + "?q=zzyzx").content.decode()

    assert "Nothing found for “zzyzx”" in html
    assert 'href="/en/elamantilanteet/KE4/"' in html
    assert 'href="/en/aihealueet/built-environment/"' in html


def test_the_query_is_echoed_escaped(client, catalogue):
    html = client.get(
        url("catalogue:search", "en"), {"q": '<script>alert("x")</script>'}
    ).content.decode()

    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_search_results_are_paginated(client, db):
    services = [
        ServiceFactory.create(
            slug=f"kirjasto-{n:02d}",
            names={"fi": f"Kirjasto {n:02d}", "sv": "Bibliotek", "en": "Library"},
        )
        for n in range(13)
    ]
    index_services([s.pk for s in services])

    first = client.get(url("catalogue:search", "en") + "?q=library").content.decode()
    second = client.get(url("catalogue:search", "en") + "?q=library&page=2").content.decode()

    assert first.count('class="service-card"') == 10
    assert "13 services found" in first
    assert 'href="?q=library&amp;page=2" rel="next"' in first
    assert second.count('class="service-card"') == 3
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second


def test_an_empty_search_shows_just_the_form(client, db):
    response = client.get(url("catalogue:search", "fi"))

    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()
    assert "service-card" not in response.content.decode()


# --- Browse pages and query counts ---------------------------------------------------------


def test_life_event_pages(client, catalogue):
    listing = client.get(url("catalogue:life_events", "en")).content.decode()
    detail = client.get(url("catalogue:life_event", "en", "KE4")).content.decode()

    assert "Housing" in listing
    assert "Moving" in listing
    assert "<h1>Housing</h1>" in detail
    assert "Building permit" in detail
    assert "Kaavoitus" in detail


def test_target_group_pages(client, catalogue):
    listing = client.get(url("catalogue:target_groups", "sv")).content.decode()
    detail = client.get(url("catalogue:target_group", "sv", "KR1")).content.decode()

    assert "Medborgare" in listing
    assert "<h1>Medborgare</h1>" in detail
    assert "Bygglov" in detail
    assert "Kaavoitus" not in detail


def test_domain_page_lists_its_services(client, catalogue):
    html = client.get(url("catalogue:domain", "en", "built-environment")).content.decode()

    assert "Building permit" in html
    assert client.get(url("catalogue:domain", "en", "no-such-domain")).status_code == 404


def test_home_counts_sub_event_services_and_hides_empty_life_events(client, catalogue):
    moving = LifeEvent.objects.get(code="KE4.1")
    ServiceFactory.create(slug="muuttoilmoitus").life_events.add(moving)
    LifeEventFactory.create(code="KE9", label_en="Nothing here yet")

    html = client.get(url("catalogue:home", "en")).content.decode()

    housing = html[html.index('href="/en/elamantilanteet/KE4/"') :]
    assert "3 services" in housing[: housing.index("</li>")]
    assert "Nothing here yet" not in html


def test_unknown_life_event_is_404(client, db):
    assert client.get(url("catalogue:life_event", "fi", "KE99")).status_code == 404


def add_services_to(catalogue: PageCatalogue, count: int) -> None:
    for n in range(count):
        service = ServiceFactory.create(summaries={"fi": f"Yhteenveto {n}"})
        service.life_events.add(catalogue.life_event)
        service.target_groups.add(catalogue.target_group)
        service.channels.add(
            ServiceChannelFactory.create(),
            ServiceChannelFactory.create(channel_type=ServiceChannel.Type.PHONE),
        )


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "page",
    [
        ("catalogue:life_event", ("KE4",)),
        ("catalogue:target_group", ("KR1",)),
        ("catalogue:domain", ("social",)),
        ("catalogue:life_events", ()),
        ("catalogue:target_groups", ()),
        ("catalogue:home", ()),
    ],
)
def test_list_pages_do_not_query_per_service(client, catalogue, page):
    name, args = page
    path = url(name, "fi", *args)
    client.get(path)  # warm the session and content-type caches
    add_services_to(catalogue, 2)
    few = count_queries(client, path)

    add_services_to(catalogue, 8)
    many = count_queries(client, path)

    assert many == few
    assert few <= 8


def test_search_page_does_not_query_per_hit(client, db):
    def make(n: int) -> None:
        services = [
            ServiceFactory.create(names={"fi": "Uimahalli", "sv": "Simhall", "en": "Pool"})
            for _ in range(n)
        ]
        for service in services:
            service.channels.add(ServiceChannelFactory.create())
        index_services([s.pk for s in services])

    path = url("catalogue:search", "en") + "?q=pool"
    make(2)
    client.get(path)  # the search vocabulary reloads once after the index changes
    few = count_queries(client, path)
    make(6)
    client.get(path)
    many = count_queries(client, path)

    assert many == few


def test_service_page_query_count_does_not_grow_with_channels(client, catalogue):
    path = url("catalogue:service", "fi", "rakennuslupa") + "?municipality=297"
    client.get(path)
    before = count_queries(client, path)
    for _ in range(4):
        channel = ServiceChannelFactory.create(is_mobile=True)
        MobileStopFactory.create(channel=channel, municipality=catalogue.kuopio)
        catalogue.permit.channels.add(channel)

    assert count_queries(client, path) == before


def test_a_missing_page_is_a_friendly_404_in_the_right_language(client, db):
    response = client.get("/sv/palvelut/ei-ole/")

    assert response.status_code == 404
    assert html_lang(response.content) == "sv"
    assert 'name="q"' in response.content.decode()
