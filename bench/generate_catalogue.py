"""Generate a deterministic PTV open API (V11) catalogue for benchmarks.

    python bench/generate_catalogue.py N OUT.json [--seed SEED]

writes one list page (`itemList`) with N services and about N/2 channels of every type, in the
shape `import_ptv` reads. `generate(n, seed)` returns the same document as a dict. Texts are
built from a vocabulary of real Finnish, Swedish and English service words, with Finnish words
in their inflected forms, so that search benchmarks see realistic variety. The same (n, seed)
always gives the same document, byte for byte.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import uuid
from pathlib import Path
from typing import Any

# Run as a script from anywhere: the project's own coordinate conversion is used.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from luukku.catalogue.ptv.coordinates import wgs84_to_tm35fin  # noqa: E402

NAMESPACE = uuid.UUID("0f6d3f0c-5b0e-4c65-9d3a-7a1d2c9e8b41")
LANGUAGES = ("fi", "sv", "en")

# One service topic a line: fi | sv | en name | service class | target group | life event ("-"
# for none) | Finnish partitive | Finnish genitive (the inflected forms search must handle).
_TOPIC_TABLE = """
Rakennuslupa | Bygglov | Building permit | P2.1 | KR1 | KE6 | rakennuslupaa | rakennusluvan
Toimenpidelupa | Åtgärdstillstånd | Minor works permit | P2.1 | KR1 | KE6 | toimenpidelupaa | toimenpideluvan
Kaavoitus | Planläggning | Land use planning | P2.3 | KR1 | KE6 | kaavoitusta | kaavoituksen
Tonttien myynti | Tomtförsäljning | Sale of building plots | P2.3 | KR1 | KE6 | tonttikauppaa | tontin
Vuokra-asunnot | Hyresbostäder | Rental housing | P1.1 | KR1 | KE4 | vuokra-asuntoa | vuokra-asunnon
Asumisneuvonta | Boenderådgivning | Housing advice | P1.2 | KR1 | KE4.2 | asumisneuvontaa | asumisneuvonnan
Kotihoito | Hemvård | Home care | P4.1 | KR1.1 | KE10 | kotihoitoa | kotihoidon
Omaishoidon tuki | Stöd för närståendevård | Support for informal care | P4.1 | KR1.1 | KE13 | omaishoidon tukea | omaishoidon tuen
Ikäihmisten neuvonta | Rådgivning för äldre | Advice for older people | P4.1 | KR1.1 | KE10 | neuvontaa | neuvonnan
Vammaispalvelut | Handikappservice | Disability services | P4.3 | KR1.6 | KE11 | vammaispalvelua | vammaispalvelun
Toimeentulotuki | Utkomststöd | Social assistance | P4.5 | KR1 | KE9 | toimeentulotukea | toimeentulotuen
Lastensuojelu | Barnskydd | Child welfare | P3.8 | KR1.2 | - | lastensuojelua | lastensuojelun
Perheneuvola | Familjerådgivning | Family counselling | P3.7 | KR1.2 | KE7 | perheneuvontaa | perheneuvolan
Äitiysneuvola | Mödrarådgivning | Maternity clinic | P5.2 | KR1.2 | KE1 | neuvolaa | neuvolan
Lastenneuvola | Barnrådgivning | Child health clinic | P5.2 | KR1.2 | KE1 | lastenneuvolaa | lastenneuvolan
Varhaiskasvatus | Småbarnspedagogik | Early childhood education | P3.4 | KR1.2 | KE1 | varhaiskasvatusta | varhaiskasvatuksen
Perusopetus | Grundläggande utbildning | Basic education | P6.1 | KR1.2 | - | perusopetusta | perusopetuksen
Terveysasema | Hälsostation | Health centre | P5.1 | KR1 | KE11 | terveysasemaa | terveysaseman
Hammashoito | Tandvård | Dental care | P5.10 | KR1 | - | hammashoitoa | hammashoidon
Mielenterveyspalvelut | Mentalvårdstjänster | Mental health services | P5.7 | KR1 | KE11 | mielenterveyspalvelua | mielenterveyspalvelun
Päihdepalvelut | Missbrukarvård | Substance abuse services | P5.7 | KR1 | - | päihdepalvelua | päihdepalvelun
Rokotukset | Vaccinationer | Vaccinations | P5.3 | KR1 | - | rokotusta | rokotuksen
Kuntoutus | Rehabilitering | Rehabilitation | P5.13 | KR1 | KE12 | kuntoutusta | kuntoutuksen
Työnhaku | Jobbsökning | Job seeking | P10.1 | KR1 | KE8 | työnhakua | työnhaun
Työttömyysturva | Utkomstskydd för arbetslösa | Unemployment security | P10.6 | KR1 | KE8 | työttömyysturvaa | työttömyysturvan
Palkkatuki | Lönesubvention | Pay subsidy | P10.7 | KR2.6 | - | palkkatukea | palkkatuen
Rekrytointipalvelut | Rekryteringstjänster | Recruitment services | P12.1 | KR2.6 | - | rekrytointia | rekrytoinnin
Starttiraha | Startpeng | Start-up grant | P11.2 | KR2.8 | - | starttirahaa | starttirahan
Yritysneuvonta | Företagsrådgivning | Business advice | P11.2 | KR2.8 | - | yritysneuvontaa | yritysneuvonnan
Yritysrahoitus | Företagsfinansiering | Business financing | P11.3 | KR2 | - | yritysrahoitusta | yritysrahoituksen
Kotoutumispalvelut | Integrationstjänster | Integration services | P22.1 | KR1 | KE5 | kotoutumista | kotoutumisen
Maatalouden tuet | Jordbruksstöd | Agricultural subsidies | P24.1 | KR2 | - | maataloustukea | maataloustuen
Lomituspalvelut | Avbytartjänster | Farm relief services | P24.1 | KR2 | - | lomitusta | lomituksen
Eläinlääkäripalvelut | Veterinärtjänster | Veterinary services | P24.3 | KR1 | - | eläinlääkäriä | eläinlääkärin
Elintarvikevalvonta | Livsmedelstillsyn | Food control | P5.21 | KR2 | - | elintarvikevalvontaa | elintarvikevalvonnan
Ympäristölupa | Miljötillstånd | Environmental permit | P23.1 | KR2 | - | ympäristölupaa | ympäristöluvan
Jätehuolto | Avfallshantering | Waste management | P23.4 | KR1 | - | jätehuoltoa | jätehuollon
Vesihuolto | Vattenförsörjning | Water supply | P2.4 | KR1 | KE6 | vesihuoltoa | vesihuollon
Joukkoliikenne | Kollektivtrafik | Public transport | P16.1 | KR1 | - | joukkoliikennettä | joukkoliikenteen
Asiointiliikenne | Servicetrafik | Demand-responsive transport | P16.1 | KR1.1 | - | asiointiliikennettä | asiointiliikenteen
Katujen kunnossapito | Gatuunderhåll | Street maintenance | P16.3 | KR1 | - | katujen kunnossapitoa | kunnossapidon
Palotarkastus | Brandsyn | Fire inspection | P19.2 | KR2 | - | palotarkastusta | palotarkastuksen
Kirjastopalvelut | Bibliotekstjänster | Library services | P25.2 | KR1 | - | kirjastoa | kirjaston
Liikuntapaikat | Idrottsplatser | Sports facilities | P27.1 | KR1 | - | liikuntapaikkaa | liikuntapaikan
Nuorisopalvelut | Ungdomstjänster | Youth services | P28.1 | KR1.3 | - | nuorisotyötä | nuorisotyön
Kansalaisopisto | Medborgarinstitut | Adult education centre | P6.6 | KR1 | - | kansalaisopistoa | kansalaisopiston
Velkaneuvonta | Skuldrådgivning | Debt advice | P15.2 | KR1 | KE9 | velkaneuvontaa | velkaneuvonnan
Edunvalvonta | Intressebevakning | Guardianship services | P7.3 | KR1 | - | edunvalvontaa | edunvalvonnan
"""  # noqa: E501 - a data table reads best one row a line
Topic = tuple[str, str, str, str, str, str | None, str, str]


def _topic(line: str) -> Topic:
    fi, sv, en, service_class, target_group, life_event, partitive, genitive = (
        part.strip() for part in line.split("|")
    )
    return (
        fi,
        sv,
        en,
        service_class,
        target_group,
        None if life_event == "-" else life_event,
        partitive,
        genitive,
    )


TOPICS: list[Topic] = [_topic(line) for line in _TOPIC_TABLE.strip().splitlines()]
# (fi, sv, en) qualifiers appended to a topic's name.
QUALIFIERS = [
    ("neuvonta", "rådgivning", "advice"),
    ("hakemus", "ansökan", "application"),
    ("ajanvaraus", "tidsbokning", "appointments"),
    ("palveluohjaus", "servicehandledning", "service guidance"),
    ("asiakaspalvelu", "kundtjänst", "customer service"),
    ("tiedotus", "information", "information"),
    ("päätökset", "beslut", "decisions"),
    ("maksut", "avgifter", "fees"),
    ("muutoksenhaku", "ändringssökande", "appeals"),
    ("verkkoasiointi", "e-tjänst", "online service"),
    ("ilta-aukiolo", "kvällsöppet", "evening opening"),
    ("ryhmätoiminta", "gruppverksamhet", "group activities"),
]
AUDIENCES = [
    ("lapsiperheille", "för barnfamiljer", "for families with children"),
    ("ikäihmisille", "för äldre", "for older people"),
    ("nuorille", "för unga", "for young people"),
    ("yrittäjille", "för företagare", "for entrepreneurs"),
    ("työnantajille", "för arbetsgivare", "for employers"),
    ("maahanmuuttajille", "för invandrare", "for immigrants"),
    ("opiskelijoille", "för studerande", "for students"),
    ("omaishoitajille", "för närståendevårdare", "for informal carers"),
    ("kaikille kuntalaisille", "för alla kommuninvånare", "for all residents"),
]
# Pohjois-Savo's municipalities: code | fi | sv | Finnish genitive | inessive | city or
# municipality | WGS84 latitude | longitude of the centre.
_MUNICIPALITY_TABLE = """
297 | Kuopio | Kuopio | Kuopion | Kuopiossa | kaupunki | 62.8924 | 27.6783
140 | Iisalmi | Idensalmi | Iisalmen | Iisalmessa | kaupunki | 63.5590 | 27.1907
749 | Siilinjärvi | Siilinjärvi | Siilinjärven | Siilinjärvellä | kunta | 63.0750 | 27.6600
915 | Varkaus | Varkaus | Varkauden | Varkaudessa | kaupunki | 62.3150 | 27.8730
420 | Leppävirta | Leppävirta | Leppävirran | Leppävirralla | kunta | 62.4910 | 27.7870
778 | Suonenjoki | Suonenjoki | Suonenjoen | Suonenjoella | kaupunki | 62.6250 | 27.1220
595 | Pielavesi | Pielavesi | Pielaveden | Pielavedellä | kunta | 63.2330 | 26.7560
263 | Kiuruvesi | Kiuruvesi | Kiuruveden | Kiuruvedellä | kaupunki | 63.6520 | 26.6190
402 | Lapinlahti | Lapinlahti | Lapinlahden | Lapinlahdella | kunta | 63.3650 | 27.3910
762 | Sonkajärvi | Sonkajärvi | Sonkajärven | Sonkajärvellä | kunta | 63.6700 | 27.5220
925 | Vieremä | Vieremä | Vieremän | Vieremällä | kunta | 63.7440 | 27.0040
686 | Rautalampi | Rautalampi | Rautalammin | Rautalammilla | kunta | 62.6220 | 26.8310
857 | Tuusniemi | Tuusniemi | Tuusniemen | Tuusniemellä | kunta | 62.8110 | 28.4900
204 | Kaavi | Kaavi | Kaavin | Kaavilla | kunta | 62.9740 | 28.4810
171 | Joroinen | Jorois | Joroisten | Joroisissa | kunta | 62.1790 | 27.8280
239 | Keitele | Keitele | Keiteleen | Keiteleellä | kunta | 63.1780 | 26.3500
"""
Municipality = tuple[str, str, str, float, float, str, str, str]


def _municipality(line: str) -> Municipality:
    code, fi, sv, genitive, inessive, kind, latitude, longitude = (
        part.strip() for part in line.split("|")
    )
    return (code, fi, sv, float(latitude), float(longitude), genitive, inessive, kind)


MUNICIPALITIES: list[Municipality] = [
    _municipality(line) for line in _MUNICIPALITY_TABLE.strip().splitlines()
]
STREETS = [
    "Kauppakatu",
    "Puijonkatu",
    "Tulliportinkatu",
    "Asemakatu",
    "Koulukatu",
    "Kirkkotie",
    "Savonkatu",
    "Rantatie",
    "Keskuskatu",
    "Torikatu",
    "Sairaalantie",
    "Virastotie",
]
ORGANISATION_KINDS = [
    ("{genitive} {kind}", "{m} stad", "{m}"),
    (
        "{genitive} sosiaali- ja terveyspalvelut",
        "{m} social- och hälsovårdstjänster",
        "{m} social and health services",
    ),
    (
        "{genitive} seudun kehitysyhtiö",
        "{m} regionens utvecklingsbolag",
        "{m} region development company",
    ),
]
SENTENCES_FI = [
    "{Topic} on tarkoitettu {audience}.",
    "Voit hakea {partitive} verkossa tai asiointipisteessä.",
    "Palvelua annetaan {municipality_in} ja tarvittaessa kotikäyntinä.",
    "Ota yhteyttä, jos tarvitset apua {genitive} hakemisessa.",
    "Asiakasmaksu määräytyy tulojen ja palvelun laajuuden mukaan.",
    "Päätös tehdään yleensä kahden viikon kuluessa hakemuksen saapumisesta.",
    "Ajan voi varata puhelimitse, sähköisesti tai paikan päällä.",
    "Palveluohjaaja arvioi tilanteesi ja kertoo sopivista vaihtoehdoista.",
    "Torstaisin palvelemme myös iltaisin kello 18 asti.",
    "Tietoja käsitellään luottamuksellisesti.",
]
SENTENCES_SV = [
    "{topic} är avsedd {audience}.",
    "Du kan ansöka på nätet eller vid ett servicekontor.",
    "Tjänsten ges i {municipality} och vid behov som hembesök.",
    "Avgiften bestäms enligt inkomster och tjänstens omfattning.",
    "Du kan boka tid per telefon, elektroniskt eller på plats.",
]
SENTENCES_EN = [
    "{topic} is intended {audience}.",
    "You can apply online or at a service point.",
    "The service is provided in {municipality} and, where needed, as home visits.",
    "The fee depends on income and the extent of the service.",
    "You can book an appointment by phone, online or in person.",
]
CHANNEL_TYPES = (
    ["ServiceLocation"] * 7 + ["Phone"] * 5 + ["EChannel"] * 4 + ["WebPage"] * 3 + ["PrintableForm"]
)
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _id(kind: str, number: int | str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{number}"))


def _texts(kind: str, **values: str) -> list[dict[str, str]]:
    return [{"language": lang, "value": value, "type": kind} for lang, value in values.items()]


def _items(**values: str) -> list[dict[str, str]]:
    return [{"value": value, "language": lang} for lang, value in values.items()]


def _finto(code: str, ontology: str) -> dict[str, Any]:
    return {
        "name": [],
        "code": code,
        "ontologyType": None,
        "uri": f"http://uri.suomi.fi/codelist/ptv/{ontology}/code/{code}",
        "parentId": None,
        "parentUri": None,
    }


def _area(municipality: Municipality) -> dict[str, Any]:
    code, fi, sv = municipality[:3]
    return {
        "type": "Municipality",
        "code": code,
        "name": _items(fi=fi, sv=sv, en=fi),
        "municipalities": [],
    }


def _organisations() -> list[dict[str, Any]]:
    organisations = []
    for m_index, municipality in enumerate(MUNICIPALITIES):
        for k_index, (fi, sv, en) in enumerate(ORGANISATION_KINDS):
            name_fi = fi.format(genitive=municipality[5], kind=municipality[7])
            organisations.append(
                {
                    "id": _id("organisation", f"{m_index}-{k_index}"),
                    "name": name_fi,
                    "municipality": municipality,
                    "sv": sv.format(m=municipality[2]),
                    "en": en.format(m=municipality[1]),
                }
            )
    return organisations


def generate(n: int, seed: int = 1) -> dict[str, Any]:
    """A PTV list page with `n` services and about n/2 channels, the same for the same seed."""
    rng = random.Random(seed)
    organisations = _organisations()
    channel_count = max(1, n // 2)
    channels: list[dict[str, Any]] = [
        _channel(index, rng, organisations) for index in range(channel_count)
    ]
    by_municipality: dict[str, list[dict[str, Any]]] = {}
    for channel in channels:
        by_municipality.setdefault(channel["_municipality"], []).append(channel)
    services = []
    for index in range(n):
        service = _service(index, rng, organisations, by_municipality)
        services.append(service)
    for channel in channels:
        del channel["_municipality"]
    items = services + channels
    return {"pageNumber": 1, "pageSize": len(items), "pageCount": 1, "itemList": items}


def _service(
    index: int,
    rng: random.Random,
    organisations: list[dict[str, Any]],
    channels_by_municipality: dict[str, list[dict[str, Any]]],
) -> dict[str, Any]:
    topic = TOPICS[index % len(TOPICS)]
    fi, sv, en, service_class, target_group, life_event, partitive, genitive = topic
    q_fi, q_sv, q_en = rng.choice(QUALIFIERS)
    a_fi, a_sv, a_en = rng.choice(AUDIENCES)
    organisation = rng.choice(organisations)
    municipality = organisation["municipality"]
    number = index // len(TOPICS) + 1
    name_fi = f"{fi}: {q_fi} {a_fi}, {municipality[1]} {number}"
    name_sv = f"{sv}: {q_sv} {a_sv}, {municipality[2]} {number}"
    name_en = f"{en}: {q_en} {a_en}, {municipality[1]} {number}"
    values = {
        "topic": fi,
        "Topic": fi,
        "audience": a_fi,
        "partitive": partitive,
        "genitive": genitive,
        "municipality_in": municipality[6],
    }
    description_fi = " ".join(s.format(**values) for s in rng.sample(SENTENCES_FI, 5))
    values_sv = {"topic": sv, "audience": a_sv, "municipality": municipality[2]}
    values_en = {"topic": en, "audience": a_en, "municipality": municipality[1]}
    description_sv = " ".join(s.format(**values_sv) for s in rng.sample(SENTENCES_SV, 3))
    description_en = " ".join(s.format(**values_en) for s in rng.sample(SENTENCES_EN, 3))
    linked = rng.sample(
        channels_by_municipality.get(municipality[0], []) or [],
        k=min(rng.randint(1, 3), len(channels_by_municipality.get(municipality[0], []))),
    )
    service_id = _id("service", index)
    for channel in linked:
        channel["services"].append({"service": {"id": service_id, "name": name_fi}})
    producers = [
        {
            "organization": {"id": organisation["id"], "name": organisation["name"]},
            "roleType": "Producer",
            "provisionType": "SelfProducedServices",
            "additionalInformation": [],
        }
    ]
    if rng.random() < 0.2:
        other = rng.choice(organisations)
        if other["id"] != organisation["id"]:
            producers.append(
                {
                    "organization": {"id": other["id"], "name": other["name"]},
                    "roleType": "Producer",
                    "provisionType": "ProcuredServices",
                    "additionalInformation": [],
                }
            )
    return {
        "id": service_id,
        "sourceId": f"bench-{index}",
        "type": "PermitOrObligation" if "lupa" in fi.lower() else "Service",
        "serviceNames": _texts("Name", fi=name_fi, sv=name_sv, en=name_en),
        "serviceChargeType": rng.choice(["FreeOfCharge", "Chargeable", None]),
        "areaType": "LimitedType",
        "areas": [_area(municipality)],
        "serviceDescriptions": (
            _texts(
                "Summary",
                fi=f"{fi} {a_fi} {municipality[6]}.",
                sv=f"{sv} {a_sv} i {municipality[2]}.",
                en=f"{en} {a_en} in {municipality[1]}.",
            )
            + _texts("Description", fi=description_fi, sv=description_sv, en=description_en)
        ),
        "languages": ["fi", "sv", "en"],
        "serviceClasses": [_finto(service_class, "ptvserclass2")],
        "targetGroups": [_finto(target_group, "ptvkohderyhmat")],
        "lifeEvents": [_finto(life_event, "ptvelti")] if life_event else [],
        "keywords": _items(fi=partitive) + _items(fi=q_fi) + _items(sv=sv.lower()),
        "requirements": [],
        "serviceChannels": [
            {"serviceChannel": {"id": c["id"], "name": c["serviceChannelNames"][0]["value"]}}
            for c in linked
        ],
        "organizations": [
            {
                "organization": {"id": organisation["id"], "name": organisation["name"]},
                "roleType": "Responsible",
                "provisionType": None,
                "additionalInformation": [],
            },
            *producers,
        ],
        "publishingStatus": "Published",
        "modified": "2026-11-01T08:00:00",
    }


def _channel(index: int, rng: random.Random, organisations: list[dict[str, Any]]) -> dict[str, Any]:
    channel_type = CHANNEL_TYPES[index % len(CHANNEL_TYPES)]
    organisation = rng.choice(organisations)
    municipality = organisation["municipality"]
    topic = rng.choice(TOPICS)
    label_fi, label_sv, label_en = {
        "ServiceLocation": ("asiointipiste", "servicepunkt", "service point"),
        "Phone": ("puhelinpalvelu", "telefontjänst", "phone service"),
        "EChannel": ("sähköinen asiointi", "e-tjänst", "online service"),
        "WebPage": ("verkkosivut", "webbplats", "web pages"),
        "PrintableForm": ("hakulomake", "ansökningsblankett", "application form"),
    }[channel_type]
    name_fi = f"{topic[0]}, {label_fi} {municipality[1]} {index + 1}"
    channel: dict[str, Any] = {
        "id": _id("channel", index),
        "sourceId": f"bench-channel-{index}",
        "serviceChannelType": channel_type,
        "organizationId": organisation["id"],
        "serviceChannelNames": _texts(
            "Name",
            fi=name_fi,
            sv=f"{topic[1]}, {label_sv} {municipality[2]} {index + 1}",
            en=f"{topic[2]}, {label_en} {municipality[1]} {index + 1}",
        ),
        "serviceChannelDescriptions": _texts(
            "Summary",
            fi=f"{topic[0]} {municipality[6]}: {label_fi}.",
            sv=f"{topic[1]} i {municipality[2]}: {label_sv}.",
        ),
        "areaType": "LimitedType",
        "areas": [_area(municipality)],
        "languages": ["fi", "sv"],
        "webPages": [],
        "serviceHours": [],
        "services": [],
        "publishingStatus": "Published",
        "modified": "2026-11-01T08:00:00",
        "_municipality": municipality[0],
    }
    slug = f"{municipality[1].lower().replace('ä', 'a').replace('ö', 'o')}"
    url = f"https://www.{slug}.fi/palvelut/{index}"
    phone = {
        "type": "Phone",
        "additionalInformation": None,
        "serviceChargeType": "Chargeable",
        "chargeDescription": "Puhelun hinta: pvm/mpm",
        "prefixNumber": "+358",
        "isFinnishServiceNumber": False,
        "number": f"17{rng.randint(1000000, 9999999)}",
        "language": "fi",
    }
    if channel_type in ("EChannel", "WebPage"):
        channel["webPages"] = [{"url": url, "value": name_fi, "language": "fi"}]
    elif channel_type == "PrintableForm":
        channel["channelUrls"] = [{"language": "fi", "value": f"{url}.pdf", "type": "PDF"}]
    elif channel_type == "Phone":
        channel["phoneNumbers"] = [phone]
        channel["serviceHours"] = [_weekday_hours(rng)]
    else:
        north, east = wgs84_to_tm35fin(
            municipality[3] + rng.uniform(-0.02, 0.02), municipality[4] + rng.uniform(-0.04, 0.04)
        )
        channel["phoneNumbers"] = [phone]
        channel["emails"] = _items(fi=f"asiointi@{slug}.fi")
        channel["addresses"] = [
            {
                "type": "Location",
                "subType": "Single",
                "streetAddress": {
                    "street": _items(fi=rng.choice(STREETS)),
                    "streetNumber": str(rng.randint(1, 60)),
                    "postalCode": f"{70100 + rng.randint(0, 899):05d}",
                    "postOffice": _items(fi=municipality[1].upper()),
                    "municipality": {"code": municipality[0], "name": _items(fi=municipality[1])},
                    "additionalInformation": [],
                    "latitude": f"{north:.3f}",
                    "longitude": f"{east:.3f}",
                    "coordinateState": "Ok",
                },
                "country": "FI",
            }
        ]
        channel["serviceHours"] = [_weekday_hours(rng)]
    return channel


def _weekday_hours(rng: random.Random) -> dict[str, Any]:
    closes = rng.choice(["15:45", "16:00", "16:00", "18:00"])
    opening = [{"dayFrom": day, "dayTo": None, "from": "08:00", "to": closes} for day in WEEKDAYS]
    if rng.random() < 0.3:  # an evening on Thursdays
        opening[3]["to"] = "19:00"
    return {
        "serviceHourType": "DaysOfTheWeek",
        "validFrom": None,
        "validTo": None,
        "isClosed": False,
        "validForNow": True,
        "isAlwaysOpen": False,
        "isReservation": False,
        "additionalInformation": [],
        "openingHour": opening,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="Number of services.")
    parser.add_argument("out", type=Path, help="Where to write the JSON file.")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    document = generate(args.n, args.seed)
    args.out.write_text(json.dumps(document, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"{args.n} services and {len(document['itemList']) - args.n} channels → {args.out}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
