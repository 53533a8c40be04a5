"""The scrubbing benchmark's generator and measurement (run with `.venv/bin/pytest bench/tests`)."""

from __future__ import annotations

from bench.bench_scrubbing import TYPES, Generator, leaked, measure


def test_the_generator_is_deterministic_and_labels_what_it_writes() -> None:
    first = [Generator(1).labelled("fi") for _ in range(3)]
    again = [Generator(1).labelled("fi") for _ in range(3)]

    assert [item.text for item in first] == [item.text for item in again]
    for item in first:
        assert item.pieces
        for kind, value in item.pieces:
            assert kind in TYPES
            assert value in item.text


def test_a_leak_is_any_readable_part_of_the_piece() -> None:
    assert leaked("040 123 4567", "phone", "soita [puhelin] tai 4567")
    assert not leaked("040 123 4567", "phone", "soita [puhelin]")
    assert leaked("Matti Virtanen", "name", "Terveisin Virtanen")
    assert not leaked("Per", "name", "Personalen var vänlig. [namn]")
    # A part the text also has elsewhere is not a leak of this piece.
    original = "Maksoin 1 155 €. hetu 180543Y155R"
    assert not leaked("180543Y155R", "identity_code", "Maksoin 1 155 €. hetu [x]", original)


def test_the_scrubber_meets_the_issues_recall_on_unseen_texts() -> None:
    result = measure(texts=400, clean=100, seed=7)

    for kind in ("identity_code", "phone", "email"):
        assert result.found[kind] / result.pieces[kind] >= 0.99, kind
    assert result.clean_unchanged / result.clean_texts >= 0.98
