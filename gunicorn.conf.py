"""gunicorn's settings for Glassbox, beside the command line's.

gunicorn reads this file from its working directory, so `gunicorn config.wsgi` run from the
project's folder (`make serve`, the benchmarks, the tests, docs/deploy.md) uses it; from
elsewhere, name it with `-c /path/to/gunicorn.conf.py`.
"""

import time


def post_worker_init(worker):
    """Loads the tutor's sentence encoder and noun forms in each worker as it starts, before it
    takes a request: otherwise a worker's first tutor question pays for the loads (about 0.4 s
    and 0.3 s of CPU). Only in servers: commands and tests load them when they first need them.
    TUTOR_SEMANTIC=0 still turns the encoder off; a graph not built yet is built at the first
    question (docs/tutor.md)."""
    # lemminflect's dictionaries, for nouns a lesson has in the other number ("cacti" for
    # "cactus"): most questions have a word the lesson lacks, and the first pays for the load.
    from tutor.retrieval import lexicon

    started = time.process_time()
    lexicon.noun_forms("cacti")
    spent = time.process_time() - started
    worker.log.info("tutor: noun forms loaded (worker %s, %.2f s of CPU)", worker.pid, spent)

    from tutor.retrieval import semantic

    started = time.process_time()
    status = semantic.preload()
    spent = time.process_time() - started
    worker.log.info(
        "tutor: sentence encoder %s (worker %s, %.2f s of CPU)", status, worker.pid, spent
    )
