"""Country resolution: codes, names, accents, short names, Kosovo, helpful errors."""

from __future__ import annotations

import pytest

from relations.domain.countries import resolve
from relations.domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("PE", "PER"), ("per", "PER"), ("Peru", "PER"), ("PERU", "PER"), ("  peru ", "PER"),
        ("México", "MEX"), ("mexico", "MEX"), ("MX", "MEX"),
        ("USA", "USA"), ("US", "USA"), ("United States", "USA"),
        ("United States of America", "USA"),
        ("UK", "GBR"), ("United Kingdom", "GBR"), ("GB", "GBR"),
        ("Russia", "RUS"), ("Russian Federation", "RUS"),
        ("Iran", "IRN"), ("Syria", "SYR"), ("Taiwan", "TWN"),
        ("South Korea", "KOR"), ("North Korea", "PRK"),
        ("Bolivia", "BOL"), ("Venezuela", "VEN"),
        ("Vatican", "VAT"), ("Holy See", "VAT"),
        ("Palestine", "PSE"), ("Turkey", "TUR"), ("Türkiye", "TUR"), ("turkiye", "TUR"),
        ("Kosovo", "XKX"), ("XK", "XKX"), ("XKX", "XKX"),
        ("Côte d'Ivoire", "CIV"), ("Ivory Coast", "CIV"), ("Saudi Arabia", "SAU"),
        ("the Netherlands", "NLD"), ("Viet Nam", "VNM"), ("Vietnam", "VNM"),
    ],
)  # fmt: skip
def test_resolves_to_alpha_3(text: str, code: str) -> None:
    assert resolve(text).alpha_3 == code


def test_all_249_iso_countries_resolve_by_each_code_and_name() -> None:
    import pycountry

    from relations.domain.countries import AMBIGUOUS, normalize

    for entry in pycountry.countries:
        assert resolve(entry.alpha_2).alpha_3 == entry.alpha_3
        assert resolve(entry.alpha_3).alpha_3 == entry.alpha_3
        if normalize(entry.name) not in AMBIGUOUS:  # "Congo" is ISO's name for COG
            assert resolve(entry.name).alpha_3 == entry.alpha_3


@pytest.mark.parametrize(("text", "both"), [("Congo", ("COG", "COD")), ("Korea", ("KOR", "PRK"))])
def test_a_name_meaning_two_countries_is_refused_naming_both(
    text: str, both: tuple[str, str]
) -> None:
    with pytest.raises(InvalidInput, match="could mean") as refused:
        resolve(text)
    assert all(code in str(refused.value) for code in both)
    assert resolve("Republic of the Congo").alpha_3 == "COG"
    assert resolve("DR Congo").alpha_3 == "COD"


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(InvalidInput, match=r"unknown country 'Mexco'.*Mexico \(MEX\)"):
        resolve("Mexco")


def test_nonsense_says_what_is_accepted() -> None:
    with pytest.raises(InvalidInput, match="ISO 3166-1 code"):
        resolve("Qqqqqq")


def test_historic_country_is_named_as_such() -> None:
    with pytest.raises(InvalidInput, match=r"former country.*Yugoslavia"):
        resolve("YUG")
