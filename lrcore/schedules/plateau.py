r"""Reduce the rate when a metric stops improving: the automatic form of "manual decay".

The decay article calls watching the loss and lowering the rate by hand "manual decay";
``ReduceLROnPlateau`` automates it. Unlike the schedules in :mod:`lrcore.schedules`, it is
a feedback loop: it needs the metric, so it is a stateful object fed once per epoch.

Both frameworks are mirrored, and they differ in three ways that show in practice:

========================  ==========================================  ===================================
                          torch ``ReduceLROnPlateau``                 ``keras.callbacks.ReduceLROnPlateau``
========================  ==========================================  ===================================
improvement (mode="min")  relative: ``m < best * (1 - threshold)``    absolute: ``m < best - min_delta``
patience                  cut when bad epochs ``> patience``          cut when bad epochs ``>= patience``
cooldown                  counted down after judging the epoch        counted down before judging it
========================  ==========================================  ===================================

So with ``patience=2`` torch cuts after the third flat epoch and Keras after the second.
Either convention can use the other's threshold mode through ``threshold_mode``.
"""

from __future__ import annotations

from typing import Any, Literal, get_args

import numpy as np

from lrcore import _checks as check
from lrcore._text import N_
from lrcore.schedules.base import fill

__all__ = ["ReduceLROnPlateau", "reduce_on_plateau"]

FAMILY = "Feedback"

# The allowed values, said once: the checks and the registry both read them from here.
Mode = Literal["min", "max"]
ThresholdMode = Literal["rel", "abs"]
Convention = Literal["torch", "keras"]


class ReduceLROnPlateau:
    """A per-epoch feedback schedule. ``step(metric)`` returns the rate for the next epoch.

    ``metric`` may be a scalar or an array (one value per independent run); the state is
    kept per run, so many simulated runs share one object without a Python loop.
    ``convention="keras"`` reads ``threshold`` as Keras' ``min_delta``;
    ``threshold_mode=None`` means the convention's own (relative for torch, absolute for
    Keras). ``reduce_on_plateau(...)`` is another name for this class.
    """

    name = "reduce_on_plateau"

    def __init__(
        self,
        lr: float,
        mode: Mode = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: ThresholdMode | None = None,
        cooldown: int = 0,
        min_lr: float = 0.0,
        eps: float = 1e-8,
        convention: Convention = "torch",
    ):
        self.lr = check.in_range("lr", lr, 0.0)
        self.mode = check.one_of("mode", mode, get_args(Mode))
        self.factor = check.in_range("factor", factor, 0.0, 1.0, low_open=True, high_open=True)
        self.patience = check.integer("patience", patience, low=0)
        self.threshold = check.in_range("threshold", threshold, 0.0)
        self.convention = check.one_of("convention", convention, get_args(Convention))
        default_mode = "rel" if self.convention == "torch" else "abs"
        self.threshold_mode = check.one_of(
            "threshold_mode", default_mode if threshold_mode is None else threshold_mode, get_args(ThresholdMode)
        )
        self.cooldown = check.integer("cooldown", cooldown, low=0)
        self.min_lr = check.in_range("min_lr", min_lr, 0.0)
        self.eps = check.in_range("eps", eps, 0.0)
        self.params = {
            "lr": self.lr,
            "mode": self.mode,
            "factor": self.factor,
            "patience": self.patience,
            "threshold": self.threshold,
            "threshold_mode": threshold_mode,
            "cooldown": self.cooldown,
            "min_lr": self.min_lr,
            "eps": self.eps,
            "convention": self.convention,
        }
        self.mirrors = (
            "torch.optim.lr_scheduler.ReduceLROnPlateau"
            if self.convention == "torch"
            else "keras.callbacks.ReduceLROnPlateau"
        )
        self.description_template = N_(
            "Cut the rate by ×{factor:g} when the loss has not improved for {patience} epochs ({convention} convention)."
        )
        self.description_fields = {"factor": self.factor, "patience": self.patience, "convention": self.convention}
        self.description = fill(self.description_template, self.description_fields)
        self.reset()

    # ------------------------------------------------------------------ state

    def reset(self) -> None:
        """Forget all history: the next ``step`` starts from ``lr``."""
        self.best: Any = np.inf if self.mode == "min" else -np.inf
        self.num_bad_epochs: Any = 0
        self.cooldown_counter: Any = 0
        self.current_lr: Any = self.lr

    def fresh(self) -> "ReduceLROnPlateau":
        """A new object with the same settings and no history."""
        return ReduceLROnPlateau(**self.params)

    # ------------------------------------------------------------------ the rule

    def _is_better(self, metric: np.ndarray, best: np.ndarray) -> np.ndarray:
        if self.threshold_mode == "rel":
            scale = 1.0 - self.threshold if self.mode == "min" else 1.0 + self.threshold
            return metric < best * scale if self.mode == "min" else metric > best * scale
        if self.mode == "min":
            return metric < best - self.threshold
        return metric > best + self.threshold

    def step(self, metric: Any) -> Any:
        """Feed one epoch's metric (scalar or one per run); get the next epoch's rate."""
        m = np.asarray(metric, dtype=np.float64)
        scalar = m.ndim == 0
        best = np.broadcast_to(np.asarray(self.best, dtype=np.float64), m.shape)
        bad = np.broadcast_to(np.asarray(self.num_bad_epochs), m.shape).astype(np.int64)
        cool = np.broadcast_to(np.asarray(self.cooldown_counter), m.shape).astype(np.int64)
        lr = np.broadcast_to(np.asarray(self.current_lr, dtype=np.float64), m.shape).copy()

        # A NaN metric is never an improvement (as in both frameworks' comparisons).
        if self.convention == "torch":
            better = self._is_better(m, best)
            best = np.where(better, m, best)
            bad = np.where(better, 0, bad + 1)
            cooling = cool > 0
            cool = np.where(cooling, cool - 1, cool)
            bad = np.where(cooling, 0, bad)
            cut = bad > self.patience
            new_lr = np.maximum(lr * self.factor, self.min_lr)
            lr = np.where(cut & (lr - new_lr > self.eps), new_lr, lr)
            cool = np.where(cut, self.cooldown, cool)
            bad = np.where(cut, 0, bad)
        else:
            cooling = cool > 0
            cool = np.where(cooling, cool - 1, cool)
            bad = np.where(cooling, 0, bad)
            better = self._is_better(m, best)
            best = np.where(better, m, best)
            counting = ~better & ~(cool > 0)
            bad = np.where(better, 0, np.where(counting, bad + 1, bad))
            # Keras' rate lives in a float32 variable and is compared with float32(min_lr):
            # a rate a hair above min_lr in float64 is *at* min_lr there, so no cut.
            cut = counting & (bad >= self.patience) & (lr.astype(np.float32) > np.float32(self.min_lr))
            lr = np.where(cut, np.maximum(lr * self.factor, self.min_lr), lr)
            cool = np.where(cut, self.cooldown, cool)
            bad = np.where(cut, 0, bad)

        if scalar:
            self.best, self.num_bad_epochs = float(best), int(bad)
            self.cooldown_counter, self.current_lr = int(cool), float(lr)
            return self.current_lr
        self.best, self.num_bad_epochs, self.cooldown_counter, self.current_lr = best, bad, cool, lr
        return lr.copy()

    # ------------------------------------------------------------------ display

    @property
    def latex(self) -> str:
        """The rule per epoch e, with m the monitored loss and m* the best so far."""
        bad = {
            ("min", "rel"): rf"m_e \ge (1 - {self.threshold:g})\,m^\ast",
            ("min", "abs"): rf"m_e \ge m^\ast - {self.threshold:g}",
            ("max", "rel"): rf"m_e \le (1 + {self.threshold:g})\,m^\ast",
            ("max", "abs"): rf"m_e \le m^\ast + {self.threshold:g}",
        }[(self.mode, self.threshold_mode)]
        wait = rf"> {self.patience}" if self.convention == "torch" else rf"\ge {self.patience}"
        return (
            rf"\begin{{gathered}} \eta_{{e+1}} = \begin{{cases}} \max({self.factor:g}\,\eta_e,\ {self.min_lr:g}) & "
            rf"\text{{after }} {wait} \text{{ bad epochs}} \\ \eta_e & \text{{otherwise}} \end{{cases}} \\ "
            rf"\text{{bad epoch: }} {bad} \end{{gathered}}"
        )

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"reduce_on_plateau({args})"


# The factory is the class itself: one signature, one docstring.
reduce_on_plateau = ReduceLROnPlateau
