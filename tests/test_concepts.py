"""Concept pages: spellings matched across lessons, aliases from course.md, definitions and
lessons in course order."""

from __future__ import annotations

import re

import pytest

from courses.content.concepts import Mention, build_index, concept_slug
from courses.content.parser import load_content
from courses.importer import import_content
from tests.factories import write_course, write_file, write_lesson

BODY = """\
## The idea
Some text about it.

## Key terms
- **{term}**: {definition}

## Quiz
1. Is this a lesson?
   - [x] Yes
   - [ ] No
   > It is.
"""


def test_spellings_match_by_case_hyphenation_and_plural():
    index = build_index(
        [
            Mention(1, "Sparse autoencoders", is_key_term=False),
            Mention(2, "sparse autoencoder", is_key_term=True),
            Mention(2, "Chain-of-thought", is_key_term=False),
            Mention(3, "chain of thought", is_key_term=True),
            Mention(3, "Biases", is_key_term=False),
            Mention(4, "bias", is_key_term=True),
            Mention(4, "Probabilities", is_key_term=False),
            Mention(5, "probability", is_key_term=False),
            Mention(5, "Non-linear", is_key_term=False),
            Mention(6, "nonlinear", is_key_term=False),
            Mention(6, "Features", is_key_term=False),  # no singular in use: its own concept
        ],
        aliases=[],
    )
    assert index.find("sparse-autoencoders").lesson_ids == [1, 2]
    assert index.find("sparse-autoencoder") is index.find("sparse-autoencoders")
    assert index.find("chain-of-thought").lesson_ids == [2, 3]
    assert index.find("bias").lesson_ids == [3, 4]
    assert index.find("probability").lesson_ids == [4, 5]
    assert index.find("nonlinear").lesson_ids == [5, 6]
    assert index.find("features").lesson_ids == [6]
    assert index.find("feature") is None
    assert len(index.concepts) == 6


def test_aliases_join_two_spellings_and_the_most_used_spelling_names_the_concept():
    index = build_index(
        [
            Mention(1, "SAE", is_key_term=True),
            Mention(2, "sparse autoencoder", is_key_term=False),
            Mention(3, "Sparse autoencoder", is_key_term=False),
            Mention(4, "sparse autoencoder", is_key_term=True),
        ],
        aliases=[("SAE", "sparse autoencoder")],
    )
    concept = index.find("sae")
    assert concept is index.find("sparse-autoencoder")
    assert concept.lesson_ids == [1, 2, 3, 4]
    assert concept.name == "sparse autoencoder"
    assert concept_slug("  Chain-of-Thought!  ") == "chain-of-thought"


def write_aliased_course(root, aliases: str) -> None:
    write_file(
        root / "saes/course.md",
        f"---\ntitle: SAEs\nsummary: About SAEs.\ntrack: Methods\norder: 1\n{aliases}---\nText.\n",
    )


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ("aliases: [SAE]\n", "'aliases' must be a mapping"),
        ("aliases:\n  SAE: [a]\n", "must map text to text"),
        ("aliases:\n  Chain-of-thought: chain of thought\n", "already matches"),
    ],
)
def test_bad_aliases_are_problems_at_their_line(content_root, aliases, message):
    write_aliased_course(content_root, aliases)
    write_lesson(content_root, course="saes")
    _, problems = load_content(content_root)
    assert [(p.path.endswith("saes/course.md"), p.line) for p in problems] == [(True, 6)]
    assert message in problems[0].message


@pytest.mark.django_db
def test_concept_page_lists_definitions_and_lessons_in_course_order(client, content_root):
    write_course(content_root, "basics", title="Basics", track="T", order=1)
    write_aliased_course(content_root, "aliases:\n  SAE: sparse autoencoder\n")  # order 1, "saes"
    write_lesson(
        content_root,
        course="saes",
        name="01-what.md",
        title="What an SAE is",
        body=BODY.format(term="SAE", definition="a <em>wide</em> autoencoder."),
    )
    write_lesson(
        content_root,
        course="saes",
        name="02-more.md",
        title="Training them",
        extra_front="concepts: [Sparse Autoencoders]\n",
        body=BODY.format(term="Dead latent", definition="a latent that never fires."),
    )
    write_lesson(
        content_root,
        course="basics",
        name="01-first.md",
        title="First lesson",
        body=BODY.format(term="Sparse autoencoder", definition="learns sparse features."),
    )
    import_content(content_root)

    lesson_page = client.get("/courses/saes/more/").text
    assert '<a href="/concepts/sparse-autoencoders/">Sparse Autoencoders</a>' in lesson_page
    assert '<a href="/concepts/dead-latent/">Dead latent</a>' in lesson_page

    page = client.get("/concepts/sparse-autoencoders/")
    assert page.status_code == 200
    html = page.text
    taught = re.findall(r'<li>\s*<a href="/courses/([^"]+)/">', html)
    assert taught == ["basics/first", "saes/what", "saes/more"]  # catalog order
    assert "learns sparse features." in html
    assert "a <em>wide</em> autoencoder." in html  # sanitized at import, kept as HTML
    assert client.get("/concepts/sae/").status_code == 200
    assert client.get("/concepts/no-such-thing/").status_code == 404
