"""The fitted router on a synthetic set whose right answer is known."""

from __future__ import annotations

from evaluate_synth import CHEAP, STRONG, make_records, strip

from benchroute.evaluate.curve import auc, envelope
from benchroute.evaluate.outcomes import Outcome, OutcomeRecord, parse_record
from benchroute.evaluate.run import fit_and_choose, score


def test_router_picks_per_family_and_beats_the_hull() -> None:
    train = make_records(200, seed=1)
    test = make_records(60, seed=2, prefix="t")
    choices = fit_and_choose(train, strip(test), seed=0)
    assert len(choices.labels) >= 12
    models = choices.models
    want = [CHEAP if rec.outcomes[CHEAP].score == 1.0 else STRONG for rec in test]
    per_family = [
        j for j in range(len(choices.labels)) if [models[int(k)] for k in choices.router[:, j]] == want
    ]
    assert per_family, "no operating point routes sql to the cheap model and poems to the strong one"
    # cheapest point: the cheap model everywhere; most accurate point: every prompt solved.
    assert {models[int(j)] for j in choices.router[:, 0]} == {CHEAP}
    report = score(choices, test)
    assert report is not None
    assert report.router[-1].quality == 1.0
    assert report.auc["router"] > report.auc["single_model_hull"] + 0.05
    assert report.router_quality_at_half_best_cost >= report.best_single.quality


def test_test_outcomes_are_never_read() -> None:
    train = make_records(120, seed=3)
    test = make_records(40, seed=4, prefix="t")
    poisoned = [
        OutcomeRecord(
            id=r.id, text=r.text, outcomes={m: Outcome(1.0 - o.score, 99.0) for m, o in r.outcomes.items()}
        )
        for r in test
    ]
    clean = fit_and_choose(train, strip(test), seed=5)
    dirty = fit_and_choose(train, poisoned, seed=5)
    assert (clean.router == dirty.router).all()
    assert clean.lines() == dirty.lines()


def test_missing_model_outcomes_are_handled() -> None:
    train = make_records(120, seed=6)
    holey = []
    for i, r in enumerate(train):
        outs = dict(r.outcomes)
        if i % 3 == 0:
            outs.pop(STRONG)
        if i % 5 == 0:
            outs.pop(CHEAP)
        holey.append(OutcomeRecord(id=r.id, text=r.text, outcomes=outs))
    test = make_records(30, seed=7, prefix="t")
    test = [OutcomeRecord(id=r.id, text=r.text, outcomes={CHEAP: r.outcomes[CHEAP]}) for r in test]
    choices = fit_and_choose(holey, strip(test), seed=0)
    report = score(choices, test)
    assert report is not None
    assert [p.label for p in report.singles] == [CHEAP]
    assert all(0.0 <= p.coverage <= 1.0 for p in report.router)
    assert report.router[0].coverage == 1.0  # the cheapest point picks CHEAP, which is observed


def test_long_prompts() -> None:
    train = make_records(60, seed=8, words=6000)
    test = make_records(10, seed=9, prefix="t", words=6000)
    choices = fit_and_choose(train, strip(test), seed=0)
    assert choices.router.shape == (10, len(choices.labels))


def test_auc_envelope_definition() -> None:
    # Two singles: mixing them gives the chord; quality 0.5 -> 1.0 over the whole normalised range.
    assert abs(auc([(0.0, 0.5), (1.0, 1.0)], 0.0, 1.0) - 0.75) < 1e-6
    # A dominated point changes nothing; a point above the chord raises the area.
    assert abs(auc([(0.0, 0.5), (0.5, 0.6), (1.0, 1.0)], 0.0, 1.0) - 0.75) < 1e-6
    assert auc([(0.0, 0.5), (0.5, 1.0), (1.0, 1.0)], 0.0, 1.0) > 0.8
    # Nothing is reachable below the cheapest point; quality stays flat past the best.
    assert abs(auc([(0.5, 1.0)], 0.0, 1.0) - 0.5) < 1e-3
    assert envelope([(0.0, 0.2), (0.3, 0.9), (0.6, 0.8)]) == [(0.0, 0.2), (0.3, 0.9)]


def test_null_and_nan_outcomes_count_as_missing() -> None:
    rec = parse_record(
        {
            "id": 1,
            "prompt": "p",
            "outcomes": {"a": None, "b": {"score": None}, "c": {"score": float("nan")}, "d": {"score": 1}},
        }
    )
    assert list(rec.outcomes) == ["d"] and rec.outcomes["d"].cost is None
