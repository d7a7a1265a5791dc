from tutor.gaps import group_questions


def test_similar_wordings_group_together_with_counts():
    groups = group_questions(
        [
            "What is RLHF?",
            "what's rlhf",
            "Explain RLHF please",
            "who won the world cup",
            "What is RLHF?",
            "Who won the World Cup in 2018?",
        ]
    )
    assert [(g.wording, g.count) for g in groups] == [
        ("What is RLHF?", 4),
        ("who won the world cup", 2),
    ]
    assert "what's rlhf" in groups[0].examples
