"""The site's own settings, plus a temporary STATIC_ROOT and one extra static folder.

Used only by the page benchmark, so gunicorn can serve a static file of the lesson page's size
the same way it serves site.css. Everything else (middleware, database, caches, templates) is
exactly the settings module named by BENCH_BASE_SETTINGS.
"""

import importlib
import os
from pathlib import Path

_base = importlib.import_module(os.environ.get("BENCH_BASE_SETTINGS", "config.settings"))
globals().update({name: value for name, value in vars(_base).items() if name.isupper()})

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
STATICFILES_DIRS = [*_base.STATICFILES_DIRS, Path(os.environ["BENCH_EXTRA_STATIC"])]
