"""The texts' network (lrcore.nets): it trains, it is the answer's model, its claim and its scheduler hold."""

import subprocess
import sys
from dataclasses import replace
from functools import lru_cache

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lrcore import nets
from lrcore.registry import ParameterError, Spec
from ui import words

SMALL = replace(nets.NetConfig(), epochs=6, seeds=3)


@lru_cache(maxsize=None)
def trained(config: nets.NetConfig, factory=None) -> nets.NetResult:
    return nets.train(config, factory)


# --------------------------------------------------------------------------- it trains, and says what it shows


def test_the_texts_network_trains():
    r = trained(nets.NetConfig())
    start, end = r.loss[:, :, 0], r.loss[:, :, -1]
    assert np.all(end[1] < 0.55 * start[1])  # every seed of the decayed lane learns, from ~0.83 to under ~0.45
    assert np.all(end[0] < start[0])  # the constant rate (2.0) learns too, rattling: some seeds far less
    assert np.all(r.accuracy[1, :, -1] > 0.8)  # the decayed lane: 10% of labels are flipped, so at most ~90%
    assert np.all(r.accuracy[:, :, 0] < 0.7)  # and it was not there before training


def test_the_decayed_band_lies_where_the_page_says():
    r = trained(nets.NetConfig())
    o = nets.outcome(r)
    constant, decayed = r.loss[0, :, -1], r.loss[1, :, -1]
    assert o.direction == "lower"
    assert decayed.max() < constant.min()  # the whole decayed band lies below the constant one
    assert o.decayed_final == pytest.approx((decayed.min(), decayed.mean(), decayed.max()))
    story = " ".join(words.net_story(o, r.labels, 12))
    assert "ends **lower than every constant seed**" in story
    assert f"{decayed.mean():.3f} (seeds from {decayed.min():.3f} to {decayed.max():.3f})" in story
    assert f"**{int(np.sum(decayed < constant))} of {r.config.seeds}**" in story


def test_the_answers_own_settings_never_decay_and_the_right_units_do():
    answer = nets.outcome(trained(nets.NetConfig.answer()))
    assert answer.first_change is None and answer.direction == "identical"
    assert answer.first_rate == answer.last_rate == 0.01
    right = trained(nets.NetConfig.answer(right_units=True))
    o = nets.outcome(right)
    assert right.config.decayed["decay_steps"] == 12
    assert o.first_change == 12 and o.last_rate == pytest.approx(0.01 * 0.96**99)
    assert o.direction != "identical"
    story = " ".join(words.net_story(answer, trained(nets.NetConfig.answer()).labels, 12))
    assert "never changed its rate" in story and "identical, step for step" in story


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0.1, 2.0), min_size=2, max_size=12), st.data())
def test_the_direction_is_what_the_final_bands_say(finals, data):
    seeds = len(finals) // 2
    c = np.array(finals[:seeds])
    d = np.array(data.draw(st.lists(st.floats(0.1, 2.0), min_size=seeds, max_size=seeds)))
    loss = np.stack([np.stack([np.full(seeds, 0.8), c], -1), np.stack([np.full(seeds, 0.8), d], -1)])
    r = nets.NetResult(SMALL, ("a", "b"), loss, loss, np.ones((2, 1)), np.ones((2, 1)), (False, False), "test", None)
    o = nets.outcome(r)
    expected = "identical" if np.array_equal(c, d) else "lower" if d.max() < c.min() else "higher" if d.min() > c.max() else "overlap"
    assert o.direction == expected
    assert o.wins == int(np.sum(d < c))


# --------------------------------------------------------------------------- it is the answer's model, trained by torch


def test_the_batched_training_is_the_answers_model_step_by_step():
    # Seed r of the decayed lane, retrained alone as a plain nn.Sequential on the same
    # batches and rates, lands on the same weights, loss and accuracy.
    cfg = replace(SMALL, epochs=2, n_examples=1250)  # a partial last batch of 50, as Keras makes it
    r = trained(cfg)
    data = nets.make_data(cfg.n_examples, cfg.label_noise, cfg.seed)
    w = nets.initial_weights(cfg.seed, cfg.seeds)
    x, y = torch.from_numpy(data.x.astype(np.float32)), torch.from_numpy(data.y)
    for seed in range(cfg.seeds):
        model = torch.nn.Sequential(torch.nn.Linear(5, 6), torch.nn.ReLU(), torch.nn.Linear(6, 2))
        with torch.no_grad():
            model[0].weight.copy_(torch.from_numpy(w["w1"][seed].T.astype(np.float32)))
            model[0].bias.zero_()
            model[2].weight.copy_(torch.from_numpy(w["w2"][seed].T.astype(np.float32)))
            model[2].bias.zero_()
        t = 0
        for epoch in range(cfg.epochs):
            order = nets.batch_order(cfg.seed, epoch, cfg.seeds, cfg.n_examples)[seed]
            for k in range(cfg.steps_per_epoch):
                batch = torch.from_numpy(order[k * cfg.batch_size : (k + 1) * cfg.batch_size])
                loss = torch.nn.functional.cross_entropy(model(x[batch]), y[batch])
                model.zero_grad()
                loss.backward()
                with torch.no_grad():
                    for p in model.parameters():
                        p.add_(p.grad, alpha=-r.rate[1, t])  # torch.optim.SGD's update
                t += 1
                with torch.no_grad():
                    logits = model(x)
                    full = torch.nn.functional.cross_entropy(logits.double(), y).item()
                    accuracy = (logits.argmax(1) == y).double().mean().item()
                assert r.loss[1, seed, t] == pytest.approx(full, rel=2e-5, abs=1e-6), (seed, t)
                assert r.accuracy[1, seed, t] == pytest.approx(accuracy, abs=1e-6)


def test_both_lanes_start_from_the_same_weights_and_the_first_update_differs_only_by_rate():
    r = trained(SMALL)
    # Equal to float32 round-off, not bitwise: torch may sum a lane's batch in another order
    # on another CPU (seen: 5e-8 apart on one machine, equal on another).
    assert np.array_equal(r.loss[0, :, 0], r.loss[1, :, 0])
    np.testing.assert_allclose(r.loss[0, :, 1:13], r.loss[1, :, 1:13], rtol=1e-6)  # the same rate through epoch 1 (staircase)
    assert np.max(np.abs(r.loss[0, :, 13:] - r.loss[1, :, 13:]) / r.loss[0, :, 13:]) > 1e-3  # then the rates part


# --------------------------------------------------------------------------- the scheduler, per step


def test_the_scheduler_and_lrcore_agree_at_every_step_with_the_default_factory():
    r = trained(nets.NetConfig())
    assert r.rate_used.shape == r.rate.shape == (2, 1200)
    np.testing.assert_allclose(r.rate_used, r.rate, rtol=1e-12, atol=0)
    assert r.rate_gap < 1e-12
    assert r.rate[1, 11] == 2.0 and r.rate[1, 12] == pytest.approx(2.0 * 0.96)  # the staircase's first drop, read from torch too


def _step_lr(schedule, optimizer):
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=12, gamma=0.96), False


def _exponential_per_epoch(schedule, optimizer):
    return torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.96), True


def _off_by_one(schedule, optimizer):
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=11, gamma=0.96), False


@pytest.mark.parametrize("factory", [_step_lr, _exponential_per_epoch], ids=["StepLR per step", "ExponentialLR per epoch"])
def test_torchs_own_schedulers_drive_the_decayed_lane_and_agree_per_step(factory):
    # Any factory with the export's contract: torch's scheduler sets every rate, the result
    # records what the optimizer applied, and the check compares it with lrcore's.
    cfg = replace(SMALL, constant=Spec("exponential", (("initial_learning_rate", 2.0), ("decay_steps", 12), ("decay_rate", 0.96), ("staircase", True))))
    r = nets.train(cfg, factory)
    assert r.rate_gap < 1e-12
    assert r.per_epoch == (factory is _exponential_per_epoch,) * 2
    np.testing.assert_allclose(r.loss, trained(cfg).loss, rtol=1e-5)  # the same rates (to round-off): the same training


def test_the_check_catches_a_scheduler_that_is_one_step_off():
    cfg = replace(SMALL, constant=SMALL.decayed)
    r = nets.train(cfg, _off_by_one)
    assert r.rate_gap == pytest.approx(0.04, rel=1e-9)  # update 11 already at 0.96 times lrcore's rate


def test_the_default_factory_is_the_exports_when_it_exists():
    make, name = nets.default_scheduler_factory()
    try:
        from lrcore.export import torch_scheduler
    except ImportError:
        assert make is nets.lambda_scheduler and "fallback" in name
    else:
        assert make is torch_scheduler


# --------------------------------------------------------------------------- deterministic, chunked, seeds

def test_fixed_seeds_give_identical_results_in_any_chunking():
    a = nets.train(SMALL)
    whole = nets.finish([s := nets.start(SMALL), nets.advance(s, SMALL.epochs)])
    for field in ("loss", "accuracy", "rate_used"):
        np.testing.assert_array_equal(getattr(a, field), getattr(trained(SMALL), field))
        np.testing.assert_array_equal(getattr(a, field), getattr(whole, field))
    assert len(nets.chunk_epochs(nets.NetConfig())) == 20


def test_a_seed_trains_the_same_whatever_the_number_of_seeds():
    two = trained(replace(SMALL, seeds=2))
    np.testing.assert_allclose(two.loss, trained(SMALL).loss[:, :2], rtol=1e-6)


def test_the_data_set_follows_its_settings():
    data = nets.make_data(1000, 0.2, 5)
    assert data.flipped.sum() == 200 and np.array_equal(data.y != data.clean, data.flipped)
    x = data.x
    assert np.array_equal(data.clean, (x[:, 0] * x[:, 1] + 0.5 * x[:, 2] - 0.25 * x[:, 3] > 0).astype(int))  # RULE_LATEX
    assert not np.array_equal(nets.make_data(1000, 0.2, 6).x, x)


# --------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    "change, param",
    [
        (dict(batch_size=2000), "batch_size"),
        (dict(label_noise=0.6), "label_noise"),
        (dict(epochs=10_000), "epochs"),
        (dict(seeds=0), "seeds"),
        (dict(decayed=Spec("reduce_on_plateau")), "decayed"),
    ],
)
def test_bad_settings_raise_a_parameter_error_naming_them(change, param):
    with pytest.raises(ParameterError) as err:
        replace(nets.NetConfig(), **change).check()
    assert err.value.param == param and param in str(err.value)


def test_importing_lrcore_and_its_nets_does_not_import_torch():
    code = "import sys, lrcore, lrcore.nets, ui.compute; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_a_settings_change_stops_the_training_and_the_finished_chunks_resume(monkeypatch):
    # On the page a settings change makes Streamlit raise from the next progress message;
    # the chunks trained so far stay in st.cache_data, so returning resumes after them.
    from ui import compute

    cfg = replace(SMALL, seed=11)  # 6 epochs: 6 chunks of one epoch
    trained_to = []
    advance = nets.advance
    monkeypatch.setattr(nets, "advance", lambda state, end, *a: trained_to.append(end) or advance(state, end, *a))

    class SettingsChanged(Exception):
        pass

    def progress(share):
        if share >= 0.5:
            raise SettingsChanged

    with pytest.raises(SettingsChanged):
        compute.net_training(cfg, progress)
    assert trained_to == [1, 2, 3]  # stopped after the chunk that reached half-way
    view = compute.net_training(cfg)
    assert trained_to == [1, 2, 3, 4, 5, 6]  # resumed: the first three came from the cache
    monkeypatch.undo()
    np.testing.assert_array_equal(view.result.loss, nets.train(cfg).loss)  # the same as training in one go


class _Made:
    """What lrcore.export.torch_scheduler returns: unpacks to (scheduler, per_epoch), says its epoch."""

    def __init__(self, scheduler, per_epoch, steps_per_epoch=None, max_steps=None):
        self.scheduler, self.per_epoch, self.steps_per_epoch, self.max_steps = scheduler, per_epoch, steps_per_epoch, max_steps

    def __iter__(self):
        return iter((self.scheduler, self.per_epoch))


def test_a_factory_object_with_its_own_epoch_is_stepped_at_its_epochs():
    two_epochs = SMALL.decayed.replace(decay_steps=24)
    cfg = replace(SMALL, constant=two_epochs, decayed=two_epochs)
    r = nets.train(cfg, lambda s, o: _Made(torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.96), True, steps_per_epoch=24))
    assert r.per_epoch == (True, True) and r.rate_gap < 1e-12
    assert r.rate_used[1, 23] == 2.0 and r.rate_used[1, 24] == pytest.approx(1.92)
