"""Lessons written in Russian and Chinese: they validate, import and link to their sections."""

from __future__ import annotations

import json
import re
from urllib.parse import unquote

import pytest

from courses.content.parser import load_content
from courses.importer import import_content
from lessons.models import Lesson
from tests.factories import write_course, write_file

RUSSIAN = """\
---
title: Признаки и суперпозиция
summary: Почему один нейрон отвечает сразу за несколько понятий.
---
## Что такое признак
Признак — это направление в пространстве активаций, которое соответствует одному понятию.

### Пример из практики
Модель хранит больше признаков, чем у неё нейронов.

Суперпозиция
------------
Когда признаков больше, чем нейронов, они делят нейроны между собой.

## Key terms
- **Признак**: направление в пространстве активаций.

## Quiz
1. Что такое признак?
   - [x] Направление в пространстве активаций
   - [ ] Отдельный нейрон
   > Признак — это направление, а не нейрон.
   > See: #что-такое-признак
"""

CHINESE = """\
---
title: 稀疏自编码器
summary: 用稀疏自编码器把激活分解成可解释的特征。
---
## 为什么需要稀疏
一个神经元常常同时表示好几个概念，所以直接看神经元很难理解模型。

## 训练目标
损失由重建误差和稀疏惩罚两部分组成：$\\|x - \\hat{x}\\|_2^2 + \\lambda \\sum_i |f_i|$。

## Key terms
- **特征**: 激活空间中代表一个概念的方向。

## Quiz
1. 稀疏自编码器的损失包括什么？
   - [x] 重建误差和稀疏惩罚
   - [ ] 只有分类误差
   > 两部分缺一不可。
   > See: #训练目标
"""


@pytest.fixture
def tree_root(content_root):
    write_course(content_root, "ru", title="Интерпретируемость", summary="Курс на русском.")
    write_file(content_root / "ru" / "01-priznaki.md", RUSSIAN)
    write_course(content_root, "zh", title="可解释性", summary="中文课程。", order=2)
    write_file(content_root / "zh" / "01-sae.md", CHINESE)
    return content_root


def test_headings_in_any_script_validate_with_unicode_anchors(tree_root):
    tree, problems = load_content(tree_root)
    assert problems == []
    russian, chinese = tree.lessons
    assert [s.anchor for s in russian.sections] == ["что-такое-признак", "суперпозиция"]
    assert [s.heading for s in russian.sections] == ["Что такое признак", "Суперпозиция"]
    assert russian.questions[0].see_anchor == "что-такое-признак"
    assert [s.anchor for s in chinese.sections] == ["为什么需要稀疏", "训练目标"]
    assert chinese.questions[0].see_anchor == "训练目标"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "anchors"),
    [
        ("/courses/ru/priznaki/", ["что-такое-признак", "суперпозиция", "пример-из-практики"]),
        ("/courses/zh/sae/", ["为什么需要稀疏", "训练目标"]),
    ],
)
def test_the_lesson_page_links_every_anchor_to_its_heading(client, tree_root, url, anchors):
    import_content(tree_root)
    assert Lesson.objects.filter(is_published=True).count() == 2
    html = client.get(url).content.decode()
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    links = {unquote(href) for href in re.findall(r'href="#([^"]+)"', html)}
    for anchor in anchors:
        assert anchor in ids, anchor
    # Every in-page link of the lesson lands on an element.
    section_links = {link for link in links if link in anchors}
    assert section_links >= set(anchors[:2])
    assert section_links <= ids


@pytest.mark.django_db
def test_math_in_a_chinese_lesson_is_mathml(client, tree_root):
    import_content(tree_root)
    html = client.get("/courses/zh/sae/").content.decode()
    assert re.search(r'<math alttext="[^"]*\\lambda[^"]*" display="inline">', html)
    assert "<mi>λ</mi>" in html
    assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.mark.django_db
def test_the_tutor_takes_questions_in_the_lesson_s_own_language(client, tree_root):
    """A question in the lesson's own script is not refused as "another language"; a question
    in a script the lesson does not use still is."""
    import_content(tree_root)

    def ask(question: str) -> dict:
        response = client.post(
            "/courses/ru/priznaki/tutor/",
            json.dumps({"question": question}),
            content_type="application/json",
        )
        assert response.status_code == 200
        return response.json()

    answer = ask("Что такое признак?")
    assert answer["grounded"] is True, answer
    assert "направление в пространстве активаций" in answer["answer"], answer
    assert "lesson's language" in ask("什么是特征？")["answer"]


@pytest.mark.django_db
def test_a_declined_question_in_the_lesson_s_language_is_not_sent_to_english(client, tree_root):
    import_content(tree_root)
    response = client.post(
        "/courses/ru/priznaki/tutor/",
        json.dumps({"question": "Кто выиграл чемпионат мира по футболу в 2018 году?"}),
        content_type="application/json",
    )
    body = response.json()
    assert body["grounded"] is False, body
    assert "English" not in body["answer"] and "lesson's language" not in body["answer"], body
