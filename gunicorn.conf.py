"""gunicorn's settings for Glassbox, beside the command line's.

gunicorn reads this file from its working directory, so `gunicorn config.wsgi` run from the
project's folder (`make serve`, the benchmarks, the tests, docs/deploy.md) uses it; from
elsewhere, name it with `-c /path/to/gunicorn.conf.py`.
"""

import time


def post_worker_init(worker):
    """Loads the tutor's sentence encoder in each worker as it starts, before it takes a
    request: otherwise a worker's first tutor question pays for the load (about 0.4 s of CPU).
    Only in servers: commands and tests load it when they first need it. TUTOR_SEMANTIC=0 still
    turns the encoder off; a graph not built yet is built at the first question (docs/tutor.md).
    Nothing else is loaded: the nouns a lesson has in the other number are in its index, found
    at import (tutor/retrieval/nouns.py), so no worker loads lemminflect."""
    from tutor.retrieval import semantic

    started = time.process_time()
    status = semantic.preload()
    spent = time.process_time() - started
    worker.log.info(
        "tutor: sentence encoder %s (worker %s, %.2f s of CPU)", status, worker.pid, spent
    )
