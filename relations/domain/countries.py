"""Countries: resolve what a user types ("PE", "per", "Peru", "México") to ISO alpha-3.

ISO 3166-1 comes from ``pycountry``; we add the short names people actually use
(USA, UK, Russia, Iran, Türkiye...) and Kosovo, which ISO 3166 does not list
(XK/XKX by convention). Codes are stored as alpha-3 because alpha-2 codes have
been reused over time.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from relations.domain.errors import InvalidInput

KOSOVO = ("XK", "XKX", "Kosovo")

# Common short names and variants that pycountry's name/official_name/common_name miss.
ALIASES: dict[str, str] = {
    "usa": "USA",
    "us": "USA",
    "united states": "USA",
    "america": "USA",
    "united states of america": "USA",
    "uk": "GBR",
    "united kingdom": "GBR",
    "great britain": "GBR",
    "britain": "GBR",
    "england": "GBR",
    "russia": "RUS",
    "iran": "IRN",
    "syria": "SYR",
    "taiwan": "TWN",
    "south korea": "KOR",
    "korea": "KOR",
    "republic of korea": "KOR",
    "north korea": "PRK",
    "dprk": "PRK",
    "bolivia": "BOL",
    "venezuela": "VEN",
    "vatican": "VAT",
    "vatican city": "VAT",
    "holy see": "VAT",
    "palestine": "PSE",
    "state of palestine": "PSE",
    "turkey": "TUR",
    "turkiye": "TUR",
    "czech republic": "CZE",
    "czechia": "CZE",
    "ivory coast": "CIV",
    "cote d ivoire": "CIV",
    "laos": "LAO",
    "vietnam": "VNM",
    "moldova": "MDA",
    "tanzania": "TZA",
    "micronesia": "FSM",
    "brunei": "BRN",
    "cape verde": "CPV",
    "swaziland": "SWZ",
    "burma": "MMR",
    "east timor": "TLS",
    "macedonia": "MKD",
    "dr congo": "COD",
    "drc": "COD",
    "democratic republic of the congo": "COD",
    "congo kinshasa": "COD",
    "congo brazzaville": "COG",
    "republic of the congo": "COG",
    "ksv": "XKX",  # CAMEO's code for Kosovo
    "uae": "ARE",
    "emirates": "ARE",
    "democratic republic of congo": "COD",
    "congo democratic republic": "COD",
    "occupied palestinian territory": "PSE",  # ICEWS's name
    "former yugoslav republic of macedonia": "MKD",  # ICEWS's name, "the" dropped
    "fyrom": "MKD",
    "holland": "NLD",
    "st lucia": "LCA",
    "st kitts and nevis": "KNA",
    "st vincent and the grenadines": "VCT",
    "sao tome": "STP",
    "timor leste": "TLS",
    "the gambia": "GMB",
    "bahamas": "BHS",
}


# The short names people use, where ISO's (or pycountry's common) name is the long form.
SHORT_NAMES: dict[str, str] = {
    "RUS": "Russia",
    "COD": "DR Congo",
    "COG": "Republic of the Congo",
    "FSM": "Micronesia",
    "PSE": "Palestine",
    "VAT": "Holy See",
    "BRN": "Brunei",
    "FLK": "Falkland Islands",
    "VGB": "British Virgin Islands",
    "VIR": "US Virgin Islands",
    "MAF": "Saint Martin",
    "SXM": "Sint Maarten",
    "CCK": "Cocos Islands",
}

# Names that mean two countries: refused with both suggested rather than guessed.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "congo": ("COG", "COD"),
    "korea": ("KOR", "PRK"),
}


@dataclass(frozen=True, slots=True)
class Country:
    alpha_3: str
    name: str

    def __str__(self) -> str:
        return f"{self.name} ({self.alpha_3})"


def normalize(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a country name or code."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    words = re.sub(r"[^0-9a-z]+", " ", ascii_only.casefold()).split()
    if words[:1] == ["the"]:
        words = words[1:]
    return " ".join(words)


@cache
def _index() -> tuple[dict[str, Country], dict[str, Country]]:
    """(key -> country, alpha_3 -> country), built once from pycountry."""
    import pycountry

    by_code: dict[str, Country] = {}
    by_key: dict[str, Country] = {}
    for entry in pycountry.countries:
        name = SHORT_NAMES.get(entry.alpha_3) or getattr(entry, "common_name", None) or entry.name
        country = Country(entry.alpha_3, name)
        by_code[entry.alpha_3] = country
        names = [entry.alpha_2, entry.alpha_3, entry.name, name]
        names.append(getattr(entry, "official_name", "") or "")
        for key in filter(None, map(normalize, names)):
            by_key.setdefault(key, country)
    kosovo = Country(KOSOVO[1], KOSOVO[2])
    by_code[kosovo.alpha_3] = kosovo
    for key in map(normalize, KOSOVO):
        by_key[key] = kosovo
    for alias, code in ALIASES.items():
        by_key[normalize(alias)] = by_code[code]
    return by_key, by_code


def resolve(text: str) -> Country:
    """The country a user means, or InvalidInput with the closest matches."""
    by_key, codes = _index()
    key = normalize(text)
    if key in AMBIGUOUS:
        options = " or ".join(str(codes[code]) for code in AMBIGUOUS[key])
        raise InvalidInput(f"{text!r} could mean {options}; say which")
    if key in by_key:
        return by_key[key]
    former = _historic(key)
    if former:
        raise InvalidInput(
            f"{text!r} is a former country ({former}) that is no longer in ISO 3166-1; "
            "use one of today's countries"
        )
    raise InvalidInput(f"unknown country {text!r}; {_suggestion(key)}")


def all_countries() -> list[Country]:
    """Every country the resolver knows, by code."""
    return sorted(_index()[1].values(), key=lambda c: c.alpha_3)


def confusions(text: str) -> list[Country]:
    """For a two-letter code, the states it is easily taken for: those whose name starts
    with the same two letters but whose code is another (NI is Nicaragua, not Niger or
    Nigeria; AU is Australia, not Austria). Empty for anything else."""
    code = text.strip()
    if len(code) != 2 or not code.isalpha():
        return []
    try:
        meant = resolve(code)
    except InvalidInput:
        return []
    prefix = code.casefold()
    return [
        country for country in _states()
        if country.alpha_3 != meant.alpha_3 and normalize(country.name).startswith(prefix)
    ]  # fmt: skip


@cache
def _states() -> list[Country]:
    """The sovereign states of the world baseline (relations/data/world-states.csv)."""
    import csv
    from importlib import resources

    text = (resources.files("relations") / "data" / "world-states.csv").read_text("utf-8")
    codes = [row["code"] for row in csv.DictReader(text.splitlines())]
    by_code = _index()[1]
    return [by_code[code] for code in codes if code in by_code]


def name_of(alpha_3: str) -> str:
    country = _index()[1].get(alpha_3)
    return country.name if country else alpha_3


def _suggestion(key: str) -> str:
    by_key, _ = _index()
    close = difflib.get_close_matches(key, list(by_key), n=8, cutoff=0.6)
    seen: list[Country] = []
    for match in close:
        if by_key[match] not in seen:
            seen.append(by_key[match])
    accepted = "use an ISO 3166-1 code (PE or PER) or an English name (Peru)"
    if not seen:
        return accepted
    return "did you mean " + ", ".join(map(str, seen[:3])) + "? (" + accepted + ")"


def _historic(key: str) -> str | None:
    import pycountry

    for entry in pycountry.historic_countries:
        keys = {normalize(entry.alpha_3), normalize(entry.name)}
        if key in keys:
            return f"{entry.name}, {entry.alpha_3}"
    return None
