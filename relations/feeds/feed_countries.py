"""Countries as the feeds write them: GDELT's CAMEO codes and ICEWS's English names.

Both are mapped to ISO alpha-3 through ``relations.domain.countries.resolve``, with
the few differences spelled out here:

* CAMEO country codes are UN/ISO alpha-3 codes as they were when CAMEO was written,
  so a few states that only changed code or name are mapped to today's code
  (``RENAMED``: ROM->ROU, ZAR->COD, TMP->TLS, BUR->MMR) and CAMEO's Kosovo code KSV
  to XKX. Codes of dissolved states (SUN, YUG, CSK, SCG, DDR...) have no single
  successor and are refused, as ``resolve`` refuses them.
* CAMEO region codes (EUR, AFR, WST "the West"...) are not countries: a side coded
  with one has no country, like a blank code.
* ICEWS writes full names, a few of which ``resolve`` does not know or finds
  ambiguous (ICEWS's "Congo" is the Republic of the Congo), and ``NA`` for missing.
  ``NA`` must never reach ``resolve``, which reads it as Namibia's alpha-2 code.

``CountryMemo`` caches every answer: a feed file repeats a few hundred values
millions of times.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from relations.domain.countries import normalize, resolve
from relations.domain.errors import InvalidInput

RENAMED = {"ROM": "ROU", "ZAR": "COD", "TMP": "TLS", "BUR": "MMR", "KSV": "XKX"}

# CAMEO's international region codes (CAMEO manual, table 3.3).
CAMEO_REGIONS = frozenset(
    [
        "AFR",
        "ASA",
        "BLK",
        "CRB",
        "CAU",
        "CFR",
        "CAS",
        "CEU",
        "EIN",
        "EAF",
        "EEU",
        "EUR",
        "LAM",
        "MEA",
        "MDT",
        "NAF",
        "NMR",
        "PGS",
        "SCN",
        "SAM",
        "SAS",
        "SEA",
        "SAF",
        "WAF",
        "WST",
    ]
)

ICEWS_NAMES = {
    "Congo": "COG",
    "Democratic Republic of Congo": "COD",
    "Occupied Palestinian Territory": "PSE",
    "Palestinian Territory, Occupied": "PSE",
    "the former Yugoslav Republic of Macedonia": "MKD",
}
ICEWS_MISSING = frozenset({"", "NA"})

_CAMEO_CODE = re.compile(r"[A-Z]{3}")
_MEMO_LIMIT = 10_000  # distinct bad values remembered; a broken file may have millions


class BadCountry(ValueError):
    """The value names no current country; the message says what is accepted."""


class CountryMemo(dict[str, str | None]):
    """``memo[value]``: the alpha-3, ``""`` for "no country", or None if the value is bad
    (``reason(value)`` says why). Each distinct value is computed once."""

    __slots__ = ("_compute", "bad")

    def __init__(self, compute: Callable[[str], str]) -> None:
        super().__init__()
        self._compute = compute
        self.bad: dict[str, str] = {}

    def __missing__(self, value: str) -> str | None:
        found: str | None
        try:
            found = self._compute(value)
        except BadCountry as exc:
            found = None
            if len(self.bad) < _MEMO_LIMIT:
                self.bad[value] = str(exc)
        if len(self) < _MEMO_LIMIT:
            self[value] = found
        return found

    def reason(self, value: str) -> str:
        if value in self.bad:
            return self.bad[value]
        try:
            self._compute(value)
        except BadCountry as exc:
            return str(exc)
        return f"{value!r} is a country"  # not reached: the memo said it was bad


def cameo_country(code: str) -> str:
    """A GDELT Actor*CountryCode as alpha-3, or ``""`` for blank or a region."""
    if not code or code in CAMEO_REGIONS:
        return ""
    accepted = (
        "accepted: an ISO 3166-1 alpha-3 code such as PER, a CAMEO region such as EUR, or blank"
    )
    if not _CAMEO_CODE.fullmatch(code):
        raise BadCountry(f"{code!r} is not a country code; {accepted}")
    if code in RENAMED:
        return RENAMED[code]
    try:
        return resolve(code).alpha_3
    except InvalidInput:
        former = former_country(code)
        if former:
            raise BadCountry(
                f"{code!r} is a former country ({former}) that is not in ISO 3166-1 today; "
                f"{accepted}"
            ) from None
        raise BadCountry(f"{code!r} is not a country code; {accepted}") from None


def icews_country(name: str) -> str:
    """An ICEWS Source/Target Country as alpha-3, or ``""`` for ``NA``."""
    if name in ICEWS_MISSING:
        return ""
    if name in ICEWS_NAMES:
        return ICEWS_NAMES[name]
    accepted = "accepted: a country's English name such as Peru, or NA"
    try:
        return resolve(name).alpha_3
    except InvalidInput:
        former = former_country(name)
        if former:
            raise BadCountry(
                f"{name!r} is a former country ({former}) that is not in ISO 3166-1 today; "
                f"{accepted}"
            ) from None
        raise BadCountry(f"{name!r} is not a country we know; {accepted}") from None


@lru_cache(maxsize=4096)
def icews_name_country(name: str) -> str | None:
    """The country an ICEWS actor *name* denotes, if the name is a country's
    ("Russia", "Burkina Faso"); None for persons, ministries, groups..."""
    if name in ICEWS_MISSING:
        return None
    try:
        return icews_country(name)
    except BadCountry:
        return None


@lru_cache(maxsize=256)
def former_country(value: str) -> str | None:
    """The name of the former (ISO 3166-3) country ``value`` denotes, if any."""
    import pycountry

    key = normalize(value)
    for entry in pycountry.historic_countries:
        if key in (normalize(entry.alpha_3), normalize(entry.name)):
            return str(entry.name)
    return None
