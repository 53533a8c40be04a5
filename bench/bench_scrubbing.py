"""Recall and precision of the open-answer scrubber (issue 6: ≥ 99 % for identity codes, phones
and e-mails) on generated texts it has not seen.

    .venv/bin/python bench/bench_scrubbing.py [--texts 3000] [--clean 1000] [--seed 606]
        [--show-misses 10]

The generator here is written apart from luukku/insights/scrubbing.py and shares no pattern
with it: it knows each piece of personal data it puts into a text (identity codes with a valid
check character in every century sign, Finnish and international phone numbers in the ways
people write them, e-mails incl. the "(at)" form, and names from common Finnish, Swedish and
English first and last names in greetings, signatures and introductions) and embeds it in
Finnish, Swedish or English sentences that also carry dates, times, prices, postal codes and case
references. Clean texts are the same sentences without personal data.

- recall per type: share of the pieces of which no part (a name, a group of 3+ digits, the
  address) is left in the scrubbed text;
- precision per type: placeholders of the type that stand for a real piece, over all
  placeholders of the type (extra ones are false positives); clean texts left unchanged.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GENERATOR_SEED = 606
TYPES = ("identity_code", "phone", "email", "name")


def _names(spaced: str) -> list[str]:
    return spaced.split()


FIRST_NAMES = {
    "fi": _names(
        "Matti Juha Timo Mikko Jari Antti Pekka Kari Jukka Mika Ville Juho Eetu Aleksi Onni "
        "Maria Helena Anneli Johanna Kaarina Marjatta Tuula Anna Liisa Päivi Aino Sanna Minna "
        "Anna-Liisa Veeti Väinö Eino Ella Iida Jenni Sari Tiina Hannele Kyllikki Sirpa Outi"
    ),
    "sv": _names(
        "Erik Lars Karl Johan Anders Per Nils Mikael Björn Sven Anna Eva Maria Karin Kristina "
        "Ingrid Lena Sofia Elin Åsa Ebba Maja Stina Göran Ulf"
    ),
    "en": _names("John James Michael David Sarah Emma Olivia Laura Peter Susan Daniel Kate"),
}
LAST_NAMES = {
    "fi": _names(
        "Korhonen Virtanen Mäkinen Nieminen Mäkelä Hämäläinen Laine Heikkinen Koskinen "
        "Järvinen Lehtonen Lehtinen Saarinen Salminen Heinonen Niemi Heikkilä Kinnunen "
        "Salonen Turunen Salo Laitinen Tuominen Rantanen Karjalainen Jokinen Mattila Savolainen "
        "Lahtinen Ahonen Äijälä Öhman Kärkkäinen Räsänen Pääkkönen Hyvönen Huttunen Miettinen"
    ),
    "sv": _names(
        "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Lindqvist "
        "Lindholm Sjöberg Björklund Åberg Holmström Wikström Lindroos Nyström"
    ),
    "en": _names("Smith Johnson Williams Brown Jones Miller Davis Wilson Taylor Clarke"),
}

FILLERS = {
    "fi": (
        "Kävin toimipisteessä {date} klo {time} ja jonotin {minutes} minuuttia.",
        "Palvelu oli ystävällistä, mutta asian käsittely kesti liian kauan.",
        "Maksoin {price} € ja kuitti tuli vasta viikon päästä.",
        "Asiani numero on {case_ref} eikä siihen ole vastattu.",
        "Asun osoitteessa Kauppakatu {street}, {postal} Kuopio.",
        "Lupapäätös {case_ref} tuli {date} ja se oli selkeä.",
        "Kirjaston aukioloajat {hours} sopivat minulle hyvin.",
        "Neuvonta Iisalmen yhteispalvelupisteessä oli erinomaista.",
        "Netissä ei löytynyt tietoa, joten soitin vaihteeseen kolme kertaa.",
        "Hinta nousi {price} eurosta ja laskussa oli virhe.",
        "Vuosina {year}–{year2} palvelu on parantunut selvästi.",
        "Odotin päätöstä {days} päivää, vaikka luvattiin kaksi viikkoa.",
        "Viitenumero {reference} oli laskussa oikein.",
        "Tilausnumero {order} ei näkynyt järjestelmässä.",
        "Y-tunnus 1234567-8 oli väärin päätöksessä.",
    ),
    "sv": (
        "Jag besökte servicepunkten {date} kl. {time} och väntade {minutes} minuter.",
        "Personalen var vänlig men handläggningen tog för lång tid.",
        "Jag betalade {price} € och fick kvittot en vecka senare.",
        "Mitt ärende har nummer {case_ref} och ingen har svarat.",
        "Jag bor på Storgatan {street}, {postal} Kuopio.",
        "Bibliotekets öppettider {hours} passar mig bra.",
    ),
    "en": (
        "I visited the service point on {date} at {time} and waited {minutes} minutes.",
        "The staff were friendly but the processing took far too long.",
        "I paid {price} € and got the receipt a week later.",
        "My case number is {case_ref} and nobody has replied.",
        "I live at Kauppakatu {street}, {postal} Kuopio.",
        "The opening hours {hours} suit me well.",
    ),
}
# Greetings and sign-offs without a name, and capitalised lines that are not names.
CLEAN_OPENINGS = {
    "fi": ("Hei,", "Hei!", "Hyvä asiakaspalvelu,", "Moi.", "Hei Kuopion kaupunki,", ""),
    "sv": ("Hej,", "Hej!", ""),
    "en": ("Hello,", "Hi there,", ""),
}
CLEAN_CLOSINGS = {
    "fi": (
        "Kiitos!",
        "Kiitos etukäteen.",
        "Terveisin tyytyväinen asiakas",
        "Terveisin Tyytyväinen asiakas",
        "Kuopion kaupungin asukas",
        "Kiitos Kuopio!",
        "Hyvää kesää!",
        "",
    ),
    "sv": ("Tack!", "Med vänlig hälsning, en nöjd kund", ""),
    "en": ("Thanks!", "Best regards, a customer", ""),
}

# Contexts that announce a piece of personal data, by type and language.
CONTEXTS = {
    "identity_code": {
        "fi": (
            "Henkilötunnukseni on {v}.",
            "hetu {v}",
            "(hetu: {v})",
            "Lapseni henkilötunnus {v} oli lomakkeessa väärin.",
        ),
        "sv": ("Min personbeteckning är {v}.", "personbeteckning {v}"),
        "en": ("My identity code is {v}.", "ID:{v}"),
    },
    "phone": {
        "fi": (
            "Soittakaa minulle numeroon {v}.",
            "puh. {v}",
            "p.{v}",
            "Tavoitatte minut numerosta {v} arkisin.",
            "(puh {v})",
            "Numero {v} ei vastannut.",
        ),
        "sv": ("Ring mig på {v}.", "tel. {v}", "Mitt nummer är {v}."),
        "en": ("Please call me on {v}.", "tel: {v}", "My number is {v}, thanks."),
    },
    "email": {
        "fi": (
            "Vastatkaa osoitteeseen {v}.",
            "sähköposti: {v}",
            "Lähetin viestin {v} -osoitteesta.",
        ),
        "sv": ("Svara till {v}.", "e-post {v}"),
        "en": ("Reply to {v} please.", "email: {v}"),
    },
}
GREETINGS = {
    "fi": ("Hei {n},", "Hei {n}!", "Moi {n},", "Hyvä {n},", "Terve {n}"),
    "sv": ("Hej {n},", "Hej {n}!", "Bästa {n},"),
    "en": ("Hi {n},", "Dear {n},", "Hello {n},"),
}
SIGNATURES = {
    "fi": (
        "Terveisin {n}",
        "Terveisin,\n{n}",
        "Ystävällisin terveisin\n{n}",
        "Ystävällisin terveisin,\n{n}",
        "t. {n}",
        "T: {n}",
        "Parhain terveisin {n}",
        "- {n}",
        "{n}",
    ),
    "sv": (
        "Mvh {n}",
        "Med vänlig hälsning\n{n}",
        "Hälsningar, {n}",
        "Vänliga hälsningar\n{n}",
        "{n}",
    ),
    "en": ("Best regards, {n}", "Kind regards,\n{n}", "Regards,\n{n}", "Thanks,\n{n}", "{n}"),
}
INTRODUCTIONS = {
    "fi": ("Nimeni on {n} ja asioin eilen.",),
    "sv": ("Jag heter {n} och var där i går.",),
    "en": ("My name is {n} and I called yesterday.",),
}

CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_SIGNS = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}


@dataclass
class Labelled:
    text: str
    language: str
    pieces: list[tuple[str, str]] = field(default_factory=list)  # (type, value)


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def identity_code(self) -> str:
        born = date(1920, 1, 1) + timedelta(days=self.rng.randrange(0, 365 * 104))
        century = 1900 if born.year < 2000 else 2000
        sign = self.rng.choice(CENTURY_SIGNS[century])
        individual = self.rng.randrange(2, 900)
        digits = f"{born:%d%m}{born.year % 100:02d}"
        check = CHECK_CHARACTERS[int(f"{digits}{individual:03d}") % 31]
        code = f"{digits}{sign}{individual:03d}{check}"
        return code.lower() if self.rng.random() < 0.1 else code

    def phone(self) -> str:
        r = self.rng
        d = lambda k: "".join(str(r.randrange(10)) for _ in range(k))  # noqa: E731
        prefix = r.choice(("040", "041", "044", "045", "046", "050"))
        subscriber = d(7)
        area = r.choice(("09", "017", "014", "02", "03", "06"))
        shapes = (
            f"{prefix} {subscriber[:3]} {subscriber[3:]}",
            f"{prefix}{subscriber}",
            f"{prefix}-{subscriber[:3]} {subscriber[3:]}",
            f"{prefix}-{subscriber}",
            f"{prefix} {subscriber[:4]} {subscriber[4:]}",
            f"{prefix} {subscriber[:2]} {subscriber[2:4]} {subscriber[4:]}",
            f"{area} {d(3)} {d(4)}",
            f"({area}) {d(3)} {d(4)}",
            f"{area}-{d(3)} {d(3)}",
            f"0800 {d(3)} {d(3)}",
            f"020 {d(3)} {d(4)}",
            f"+358 {prefix[1:]} {subscriber[:3]} {subscriber[3:]}",
            f"+358{prefix[1:]}{subscriber}",
            f"+358 (0){prefix[1:]} {subscriber[:3]} {subscriber[3:]}",
            f"+358-{prefix[1:]}-{subscriber}",
            f"00358 {prefix[1:]} {subscriber}",
            f"+46 70 {d(3)} {d(2)} {d(2)}",
            f"+46 8 {d(3)} {d(3)} {d(2)}",
            f"+44 20 {d(4)} {d(4)}",
            f"+1 ({d(3)}) {d(3)}-{d(4)}",
            f"+49 30 {d(7)}",
        )
        return r.choice(shapes)

    def email(self, first: str, last: str) -> str:
        r = self.rng
        local = r.choice(
            (
                f"{first}.{last}",
                f"{first[0]}{last}",
                f"{first}_{last}{r.randrange(100)}",
                f"{first}.{last}+palaute",
                f"{last}{r.randrange(1950, 2010)}",
            )
        )
        local = local.replace("ä", "a").replace("ö", "o").replace("å", "a")
        if r.random() < 0.8:
            local = local.lower()
        domain = r.choice(
            ("kuopio.fi", "gmail.com", "outlook.com", "posti.example.fi", "pp.inet.fi")
        )
        at = r.choice(("@", "@", "@", "@", "(at)", "[at]"))
        return f"{local}{at}{domain}"

    def name(self, language: str) -> tuple[str, str]:
        return self.rng.choice(FIRST_NAMES[language]), self.rng.choice(LAST_NAMES[language])

    def filler(self, language: str) -> str:
        r = self.rng
        day = date(2024, 1, 1) + timedelta(days=r.randrange(700))
        values = {
            "date": r.choice((f"{day.day}.{day.month}.{day.year}", f"{day:%d.%m.%Y}", f"{day}")),
            "time": f"{r.randrange(8, 18)}.{r.choice(('00', '15', '30', '45'))}",
            "minutes": r.randrange(5, 120),
            "price": r.choice(
                (f"{r.randrange(5, 900)},{r.randrange(100):02d}", f"1 {r.randrange(100, 999)}")
            ),
            "case_ref": r.choice(
                (
                    f"KUO-{day.year}-{r.randrange(10**6):06d}",
                    f"{r.randrange(1, 9999)}/{day.year}",
                    f"Dnro {r.randrange(1, 999):04d}/00.01.02/{day.year}",
                    f"#{r.randrange(10**5, 10**6)}",
                )
            ),
            "street": r.randrange(1, 60),
            "postal": r.choice(("70100", "70600", "74100", "71800", "00100", "00970")),
            "hours": "8.00–16.00",
            "year": day.year - 3,
            "year2": day.year,
            "days": r.randrange(10, 90),
            "reference": f"{r.randrange(1000, 9999)} {r.randrange(10**4, 10**5)}",
            # One in ten starts with a zero like a phone number: the scrubber removes those.
            "order": f"{r.randrange(10**7):07d}",
        }
        return r.choice(FILLERS[language]).format(**values)

    def labelled(self, language: str) -> Labelled:
        """A text with one to three pieces of personal data among ordinary sentences."""
        r = self.rng
        item = Labelled("", language)
        first, last = self.name(language)
        lines: list[str] = []
        if r.random() < 0.3:
            full = r.choice((first, f"{first} {last}"))
            lines.append(r.choice(GREETINGS[language]).format(n=full))
            item.pieces.append(("name", full))
        body = [self.filler(language) for _ in range(r.randint(1, 3))]
        for kind in r.sample(("identity_code", "phone", "email", "intro"), r.randint(1, 2)):
            if kind == "intro":
                full = f"{first} {last}"
                body.insert(
                    r.randrange(len(body) + 1), r.choice(INTRODUCTIONS[language]).format(n=full)
                )
                item.pieces.append(("name", full))
                continue
            value = (
                self.identity_code()
                if kind == "identity_code"
                else self.phone()
                if kind == "phone"
                else self.email(first, last)
            )
            sentence = r.choice(CONTEXTS[kind][language]).format(v=value)
            body.insert(r.randrange(len(body) + 1), sentence)
            item.pieces.append((kind, value))
        lines.append(" ".join(body))
        if r.random() < 0.6:
            full = r.choice((first, f"{first} {last}", f"{first} {last[0]}."))
            if r.random() < 0.05:
                full = full.lower()  # people sign in lower case too
            lines.append(r.choice(SIGNATURES[language]).format(n=full))
            # "Matti V.": the initial alone identifies no one; the first name must go.
            item.pieces.append(("name", first if full.endswith(".") else full))
        item.text = "\n".join(lines)
        return item

    def clean(self, language: str) -> Labelled:
        r = self.rng
        lines = [r.choice(CLEAN_OPENINGS[language])]
        lines.append(" ".join(self.filler(language) for _ in range(r.randint(1, 3))))
        lines.append(r.choice(CLEAN_CLOSINGS[language]))
        return Labelled("\n".join(line for line in lines if line), language)

    def language(self) -> str:
        return self.rng.choices(("fi", "sv", "en"), weights=(7, 2, 1))[0]


def leaked(value: str, kind: str, scrubbed: str, original: str = "") -> bool:
    """Whether an identifying part of `value` is still readable in the scrubbed text.

    A part counts only where the original text did not have it elsewhere too (the "155" of an
    identity code is no leak when the text also says "1 155 €").
    """
    if kind == "email":
        parts = [re.split(r"@|\(at\)|\[at\]", value)[0]]
    elif kind == "name":
        parts = [part for part in value.split() if len(part) > 2]
    else:
        parts = [part for part in re.findall(r"\d+", value) if len(part) >= 3]
    elsewhere = original.replace(value, " ")
    return any(
        _occurrences(part, scrubbed) > _occurrences(part, elsewhere) for part in [value, *parts]
    )


def _occurrences(part: str, text: str) -> int:
    return len(re.findall(rf"(?<!\w){re.escape(part)}(?!\w)", text, flags=re.IGNORECASE))


@dataclass
class Measurement:
    pieces: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    placeholders: Counter[str] = field(default_factory=Counter)
    true_placeholders: Counter[str] = field(default_factory=Counter)
    clean_texts: int = 0
    clean_unchanged: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    false_alarms: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0


def placeholder_counts(scrubbed: str, language: str) -> Counter[str]:
    from luukku.insights.scrubbing import PLACEHOLDERS

    return Counter({kind: scrubbed.count(PLACEHOLDERS[language][kind]) for kind in TYPES})


def measure(texts: int, clean: int, seed: int = GENERATOR_SEED) -> Measurement:
    from luukku.insights.scrubbing import scrub

    generator = Generator(seed)
    labelled = [generator.labelled(generator.language()) for _ in range(texts)]
    clean_items = [generator.clean(generator.language()) for _ in range(clean)]
    result = Measurement()
    started = time.perf_counter()
    scrubbed_labelled = [scrub(item.text, item.language) for item in labelled]
    scrubbed_clean = [scrub(item.text, item.language) for item in clean_items]
    result.seconds = time.perf_counter() - started
    for item, scrubbed in zip(labelled, scrubbed_labelled, strict=True):
        expected: Counter[str] = Counter()
        for kind, value in item.pieces:
            result.pieces[kind] += 1
            expected[kind] += 1
            if leaked(value, kind, scrubbed, item.text):
                result.misses.append((kind, item.text, scrubbed))
            else:
                result.found[kind] += 1
        produced = placeholder_counts(scrubbed, item.language)
        for kind in TYPES:
            result.placeholders[kind] += produced[kind]
            result.true_placeholders[kind] += min(produced[kind], expected[kind])
    for item, scrubbed in zip(clean_items, scrubbed_clean, strict=True):
        result.clean_texts += 1
        produced = placeholder_counts(scrubbed, item.language)
        result.placeholders.update(produced)
        if scrubbed == item.text:
            result.clean_unchanged += 1
        else:
            result.false_alarms.append((item.text, scrubbed))
    return result


def table(result: Measurement) -> str:
    rows = [
        "| PII type | pieces | recall | placeholders | precision |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in TYPES:
        pieces = result.pieces[kind]
        recall = result.found[kind] / pieces if pieces else 1.0
        shown = result.placeholders[kind]
        precision = result.true_placeholders[kind] / shown if shown else 1.0
        rows.append(f"| {kind} | {pieces} | {recall:.2%} | {shown} | {precision:.2%} |")
    rows.append(
        f"| clean texts unchanged | {result.clean_texts} | | | "
        f"{result.clean_unchanged / max(result.clean_texts, 1):.2%} |"
    )
    return "\n".join(rows)


def main() -> None:
    import os

    import django

    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=3000)
    parser.add_argument("--clean", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=GENERATOR_SEED)
    parser.add_argument("--show-misses", type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luukku.settings")
    django.setup()
    result = measure(args.texts, args.clean, args.seed)
    print(table(result))
    total = args.texts + args.clean
    print(f"\n{total} texts scrubbed in {result.seconds:.2f} s (seed {args.seed})")
    for kind, text, scrubbed in result.misses[: args.show_misses]:
        print(f"\nMISS {kind}:\n{text}\n→ {scrubbed}")
    for text, scrubbed in result.false_alarms[: args.show_misses]:
        print(f"\nFALSE ALARM:\n{text}\n→ {scrubbed}")


if __name__ == "__main__":
    main()
