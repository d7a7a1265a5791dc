"""Each response names its request: the proxy's X-Request-ID when it is sane, else a new id."""

import re

import pytest
from django.http.request import HttpHeaders


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept(client):
    response = client.get("/search/", {"q": "model"}, headers={"X-Request-ID": "proxy-id.1234_AB"})
    assert response["X-Request-ID"] == "proxy-id.1234_AB"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming", ["", "short", "has space in it", "a" * 65, "semi;colon-1234", "ünïcode-1234"]
)
def test_an_odd_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/search/", {"q": "model"}, headers={"X-Request-ID": incoming})
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_each_request_without_an_id_gets_its_own(client):
    first, second = client.get("/search/"), client.get("/search/")
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first["X-Request-ID"])


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/search/?q=model", "/search/", "/"])
def test_an_anonymous_get_builds_no_header_mapping(client, monkeypatch, path):
    # request.headers maps every header the request carries (about 15 µs of CPU); the request
    # id is read from META, and nothing else an anonymous page runs needs the mapping.
    built = []
    original = HttpHeaders.__init__

    def counting(self, environ):
        built.append(self)
        original(self, environ)

    monkeypatch.setattr(HttpHeaders, "__init__", counting)
    response = client.get(path, headers={"X-Request-ID": "traced-request-42", "Accept": "*/*"})
    assert response.status_code == 200
    assert response["X-Request-ID"] == "traced-request-42"
    assert built == []
