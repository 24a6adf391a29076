"""The RQ worker's entry point (`Procfile`: `worker: python worker.py`); reads `.env` when
present. As `wsgi.py` does for the web, it hands the app factory to what it runs: the
worker (`jobs.worker`) builds the app once, before forking, and the jobs never import it.
"""

from dotenv import load_dotenv

from jobs.worker import main
from webapp import create_app

if __name__ == "__main__":
    load_dotenv()
    main(create_app)
