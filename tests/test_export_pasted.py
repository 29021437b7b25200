"""A pasted Keras function (``def decay(epoch, lr):``) exports: verbatim to Keras'
LearningRateScheduler, and to PyTorch as LambdaLR over the same recurrence; both run and
give lrcore's rates. TF1 and optax refuse it, saying why."""

import os

import numpy as np
import pytest

from lrcore import export
from lrcore import schedules as S

# Keras' torch backend converts tensors with an __array__ that NumPy 2 warns about (Keras' own code).
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning")
STEPS, SPE = 600, 12
FUNCTIONS = {
    "recurrence": "def decay(epoch, lr):\n    if epoch < 10:\n        return lr\n    return lr * math.exp(-0.1)\n",
    "article": "def step_decay(epoch):\n    return 0.1 * math.pow(0.5, math.floor((1 + epoch) / 10))\n",
    "chain": "def decay(epoch, lr):\n    if epoch < 5:\n        return 0.2\n    elif epoch < 20:\n        return lr * 0.9\n    else:\n        return max(lr * 0.5, 1e-4)\n",
}


@pytest.fixture(params=FUNCTIONS, ids=list(FUNCTIONS))
def schedule(request):
    return S.formula(FUNCTIONS[request.param], steps_per_epoch=SPE, lr0=0.1)


def test_pytorch_runs_the_recurrence_once_per_epoch_as_lrcore_does(schedule):
    source = export.code(schedule, "pytorch", steps=STEPS)
    assert "lrcore" not in source and "STEPS_PER_EPOCH" in source
    ns = {"__name__": "snippet"}
    exec(compile(source, "snippet.py", "exec"), ns)
    optimizer, scheduler = ns["optimizer"], ns["scheduler"]
    got = []
    for step in range(STEPS):
        got.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if (step + 1) % SPE == 0:
            scheduler.step()
    np.testing.assert_allclose(got, schedule(np.arange(STEPS)), rtol=1e-12, atol=0)


def test_keras_takes_the_function_verbatim_and_agrees_to_float32(schedule):
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras")
    source = export.code(schedule, "keras", steps=STEPS)
    assert schedule.params["expression"].strip() in source and "LearningRateScheduler(lr_schedule)" in source
    ns = {"__name__": "snippet"}
    exec(compile(source, "snippet.py", "exec"), ns)
    model, rates = ns["model"], []
    probe = keras.callbacks.LambdaCallback(
        on_train_batch_begin=lambda batch, logs: rates.append(float(keras.ops.convert_to_numpy(model.optimizer.learning_rate)))
    )
    model.fit(ns["x"], ns["y"], batch_size=ns["BATCH_SIZE"], epochs=STEPS // SPE, callbacks=ns["callbacks"] + [probe], verbose=0)
    np.testing.assert_array_equal(np.float32(rates), schedule(np.arange(STEPS)).astype(np.float32))


@pytest.mark.parametrize("framework, why", [("tf1", "no function"), ("optax", "once per epoch")])
def test_frameworks_without_such_a_callback_refuse_and_say_why(schedule, framework, why):
    with pytest.raises(ValueError, match=why):
        export.code(schedule, framework)
