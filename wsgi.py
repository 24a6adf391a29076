"""WSGI entry point for gunicorn (`wsgi:app`); reads `.env` when present."""

from dotenv import load_dotenv

load_dotenv()

from webapp import create_app  # noqa: E402
from webapp.cities import warm_up  # noqa: E402

app = create_app()
with app.app_context():  # each worker builds the city directory before its first request
    warm_up()
