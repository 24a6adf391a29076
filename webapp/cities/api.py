"""`GET /api/cities`: the city directory's typeahead, public (the order form and the feed
filter ask it before anyone signs in)."""

from __future__ import annotations

from flask_babel import get_locale
from pydantic import BaseModel, Field, field_validator

from webapp.api import Params, Schema, api_blueprint, respond
from webapp.cities.directory import City, known_country, search_cities

bp = api_blueprint(
    "cities_api",
    __name__,
    "/api/cities",
    tag="cities",
    description="The city directory (GeoNames, CC BY 4.0)",
    security=[],
)


class CityQuery(Params):
    """What `GET /api/cities` takes."""

    search: str | None = Field(
        None,
        max_length=100,
        description="The start of a name or of one of its words, in Russian or Latin "
        'letters, transliterated or short ("tula", "Тула", "спб", "питер", "мск", "екб"). '
        "Empty: the largest cities.",
    )
    country: str = Field("RU", pattern=r"^[A-Z]{2}$", description="ISO 3166 alpha-2 code.")
    limit: int = Field(10, ge=1, le=50)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        if not known_country(value):
            raise ValueError("not a country GeoNames knows")
        return value


class CityOut(Schema):
    """A city of the directory; `id` is its GeoNames id. `name` and `region` are in the
    reader's language."""

    id: int
    name: str
    name_ru: str
    name_en: str
    region: str | None
    region_ru: str | None
    region_en: str | None
    country: str
    population: int


class CityList(BaseModel):
    """The matches, most populous first: the first `limit` of `total`."""

    items: list[CityOut]
    total: int
    limit: int


def city_out(city: City, language: str) -> CityOut:
    return CityOut(
        id=city.id,
        name=city.name(language),
        name_ru=city.name_ru,
        name_en=city.name_en,
        region=city.region(language),
        region_ru=city.region_ru,
        region_en=city.region_en,
        country=city.country,
        population=city.population,
    )


@bp.get("", responses={200: CityList})
def list_cities(query: CityQuery):
    """Cities whose name starts with `search`, most populous first."""
    found = search_cities(query.search, country=query.country, limit=query.limit)
    language = str(get_locale() or "en")
    items = [city_out(city, language) for city in found.items]
    return respond(CityList, CityList(items=items, total=found.total, limit=query.limit))
