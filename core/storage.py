"""The static files storage of the production settings: WhiteNoise's compressed, content-hashed
files, with each file's URL looked up once per process."""

from __future__ import annotations

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage

MAX_REMEMBERED_URLS = 1000


class RememberingManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """``url()`` answers from a dictionary after the first time for each name.

    Every page's ``{% static %}`` tags (four on a lesson page) each cleaned and split the name
    and joined the URL again to read the same manifest entry: about 0.1 ms of CPU a tag on the
    benchmark VM. The answer only changes with the manifest, which is read when the storage is
    made (a process starts, or a test changes the static settings) and rewritten by
    collectstatic, whose post-processing forgets every remembered URL. A name that fails (not in
    the manifest) fails every time, as before.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool, bool], str] = {}

    def url(self, name: str, force: bool = False) -> str:
        key = (name, force, settings.DEBUG)  # in DEBUG the names are not hashed
        found = self._urls.get(key)
        if found is None:
            found = super().url(name, force)
            if len(self._urls) < MAX_REMEMBERED_URLS:
                self._urls[key] = found
        return found

    def post_process(self, *args, **kwargs):
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
