"""The city directory (`webapp/cities`) and `GET /api/cities`."""

from __future__ import annotations

import pytest

from webapp.cities import find_city, search_cities

MOSCOW, SAINT_PETERSBURG, YEKATERINBURG, TULA = 524901, 498817, 1486209, 480562


@pytest.mark.parametrize(
    ("search", "city_id"),
    [
        ("Тула", TULA),
        ("tula", TULA),
        ("ТУЛ", TULA),
        ("питер", SAINT_PETERSBURG),
        ("спб", SAINT_PETERSBURG),
        ("SPb", SAINT_PETERSBURG),
        ("петербург", SAINT_PETERSBURG),
        ("Санкт-Петербург", SAINT_PETERSBURG),
        ("sankt peterburg", SAINT_PETERSBURG),
        ("мск", MOSCOW),
        ("москва", MOSCOW),
        ("moskva", MOSCOW),
        ("екб", YEKATERINBURG),
        ("екатеринбург", YEKATERINBURG),
        ("ekaterinburg", YEKATERINBURG),
    ],
)
def test_names_short_names_and_transliterations_find_their_city(search, city_id):
    """Does a prefix in either alphabet, a transliteration or a short name find the city?"""
    found = search_cities(search, limit=5)
    assert found.items[0].id == city_id


def test_a_city_has_russian_and_english_names_region_and_population():
    """Does a city carry its Russian and English names, its region and its population?"""
    tula = search_cities("Тула", limit=1).items[0]
    assert (tula.name_ru, tula.name_en) == ("Тула", "Tula")
    assert (tula.region_ru, tula.region_en) == ("Тульская область", "Tula Oblast")
    assert tula.population > 400_000
    names = {city.name_ru for city in search_cities(None, limit=20).items}
    assert {"Москва", "Санкт-Петербург", "Казань", "Пермь", "Ростов-на-Дону"} <= names


def test_matches_are_ordered_by_population():
    """Do the matches come most populous first (Novgorod: Nizhny before Veliky)?"""
    found = search_cities("новгород", limit=10)
    populations = [city.population for city in found.items]
    assert populations == sorted(populations, reverse=True)
    assert [city.name_en for city in found.items[:2]] == ["Nizhniy Novgorod", "Velikiy Novgorod"]
    largest = search_cities("", limit=3).items
    assert [city.id for city in largest] == [MOSCOW, SAINT_PETERSBURG, 1496747]


def test_the_districts_of_moscow_and_saint_petersburg_are_not_cities():
    """Are GeoNames' city districts («Выхино-Жулебино») left out?"""
    assert search_cities("выхино", limit=5).total == 0
    assert search_cities("Vasil'yevskiy", limit=5).total == 0


@pytest.mark.parametrize("garbage", ["!!!", "zzzzqq", "-", "%_", "ъъъ"])
def test_a_search_matching_nothing_finds_nothing(garbage):
    """Does punctuation or an unknown word find no city instead of all of them?"""
    assert search_cities(garbage).items == []


def test_find_city_resolves_a_full_name_only():
    """Does `find_city` know "Тула", "tula", "питер", and refuse a mere prefix?"""
    assert find_city("Тула").id == TULA
    assert find_city("tula").id == TULA
    assert find_city("Питер").id == SAINT_PETERSBURG
    assert find_city("Saint Petersburg").id == SAINT_PETERSBURG
    assert find_city("Тул") is None
    assert find_city("   ") is None


def test_the_api_finds_tula_in_both_alphabets(client):
    """Does `GET /api/cities` answer a public search, names in the reader's language?"""
    for search in ("Тула", "tula"):
        response = client.get("/api/cities", query_string={"search": search})
        assert response.status_code == 200
        body = response.get_json()
        assert body["total"] == 1
        assert body["items"][0]["id"] == TULA
        assert body["items"][0]["name_ru"] == "Тула"
    russian = client.get("/api/cities?search=spb", headers={"Accept-Language": "ru"}).get_json()
    assert russian["items"][0]["name"] in ("Санкт-Петербург", "Saint Petersburg")


@pytest.mark.parametrize(("limit", "count"), [(1, 1), (3, 3), (50, 50)])
def test_the_api_keeps_to_the_limit(client, limit, count):
    """Does `limit` bound the answer (and `total` still count every match)?"""
    body = client.get(f"/api/cities?limit={limit}").get_json()
    assert len(body["items"]) == count
    assert body["total"] > 500
    assert body["limit"] == limit


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=51",
        "limit=ten",
        "country=XX",
        "country=ru",
        "country=RUS",
        "search=" + "a" * 101,
        "search=a%00b",
    ],
)
def test_the_api_refuses_invalid_parameters(client, query):
    """Is an invalid limit, an unknown country or an oversized search a 422 problem?"""
    response = client.get(f"/api/cities?{query}")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"


def test_the_api_answers_garbage_with_an_empty_list(client):
    """Does a search with no letter in it answer an empty list, not an error?"""
    body = client.get("/api/cities", query_string={"search": "?!*"}).get_json()
    assert body == {"items": [], "total": 0, "limit": 10}


def test_another_country_by_its_code(client):
    """Does `country` switch the directory to another country's cities?"""
    body = client.get("/api/cities?country=BY&search=minsk").get_json()
    assert body["items"][0]["name_en"] == "Minsk"
    assert body["items"][0]["country"] == "BY"


def test_two_first_searches_at_once_build_the_index_once(monkeypatch):
    """Do concurrent first searches of a country share one build (the lock), and does
    `warm_up` leave nothing for the first search to build?"""
    import threading

    from webapp.cities import directory

    builds: list[tuple[str, int]] = []
    real_build = directory._build
    start = threading.Barrier(6)

    def counting_build(country: str, min_population: int):
        builds.append((country, min_population))
        return real_build(country, min_population)

    monkeypatch.setattr(directory, "_build", counting_build)
    monkeypatch.setattr(directory, "_indexes", {})
    found: list[int] = []

    def first_search():
        start.wait()
        found.append(directory.search_cities("tula", country="BY", min_population=15000).total)

    threads = [threading.Thread(target=first_search) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert builds == [("BY", 15000)]
    assert len(found) == 6
    directory.warm_up("KZ", 15000)
    directory.search_cities("almaty", country="KZ", min_population=15000)
    assert builds == [("BY", 15000), ("KZ", 15000)]
