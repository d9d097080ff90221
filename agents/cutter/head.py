"""The learned cutter's classifier: a one-hidden-layer MLP in numpy (no torch at run time).

Trained by bench/train_cutter.py; stored as plain arrays in resources/cutter/.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ROWS = 64


@dataclass(frozen=True)
class Head:
    mean: np.ndarray  # (d,) feature standardisation
    std: np.ndarray  # (d,)
    w1: np.ndarray  # (d, h)
    b1: np.ndarray  # (h,)
    w2: np.ndarray  # (h,)
    b2: float

    @property
    def inputs(self) -> int:
        return int(self.w1.shape[0])

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """P(marked) per row of `x`."""
        z = (np.asarray(x, dtype=np.float32) - self.mean) / self.std
        # In blocks of ROWS: OpenBLAS runs a bigger product on several threads, which on two
        # busy cores wait on each other (measured 0.2 ms vs 5-8 ms for one card's words).
        pre = np.vstack([z[i : i + ROWS] @ self.w1 for i in range(0, max(len(z), 1), ROWS)])
        hidden = np.maximum(pre + self.b1, 0.0)
        logit = hidden @ self.w2 + self.b2
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30))), dtype=np.float64)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}_mean": self.mean,
            f"{prefix}_std": self.std,
            f"{prefix}_w1": self.w1,
            f"{prefix}_b1": self.b1,
            f"{prefix}_w2": self.w2,
            f"{prefix}_b2": np.array([self.b2], dtype=np.float32),
        }

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], prefix: str) -> Head:
        """Raises KeyError or ValueError on a missing or misshapen array."""
        head = cls(
            np.asarray(arrays[f"{prefix}_mean"], dtype=np.float32),
            np.asarray(arrays[f"{prefix}_std"], dtype=np.float32),
            np.asarray(arrays[f"{prefix}_w1"], dtype=np.float32),
            np.asarray(arrays[f"{prefix}_b1"], dtype=np.float32),
            np.asarray(arrays[f"{prefix}_w2"], dtype=np.float32),
            float(np.asarray(arrays[f"{prefix}_b2"]).reshape(-1)[0]),
        )
        d, h = head.w1.shape
        if head.mean.shape != (d,) or head.std.shape != (d,) or head.b1.shape != (h,):
            raise ValueError(f"{prefix}: arrays of inconsistent shapes")
        if head.w2.shape != (h,) or not np.all(np.isfinite(head.w1)):
            raise ValueError(f"{prefix}: arrays of inconsistent shapes or values")
        return head


def train_head(
    x: np.ndarray,
    y: np.ndarray,
    *,
    hidden: int = 32,
    epochs: int = 6,
    batch: int = 2048,
    lr: float = 2e-3,
    l2: float = 1e-5,
    seed: int = 0,
) -> Head:
    """Adam on the log loss, minibatches in a seeded order: deterministic for one input."""
    rng = np.random.default_rng(seed)
    x = np.asarray(x, dtype=np.float32)
    mean = x.mean(axis=0)
    std = x.std(axis=0) + 1e-4
    z = (x - mean) / std
    yf = np.asarray(y, dtype=np.float32)
    d = z.shape[1]
    params = [
        (rng.standard_normal((d, hidden)) * np.sqrt(2.0 / d)).astype(np.float32),
        np.zeros(hidden, dtype=np.float32),
        (rng.standard_normal(hidden) * np.sqrt(1.0 / hidden)).astype(np.float32),
        np.zeros(1, dtype=np.float32),
    ]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(z))
        for start in range(0, len(z), batch):
            idx = order[start : start + batch]
            xb, yb = z[idx], yf[idx]
            w1, b1, w2, b2 = params
            pre = xb @ w1 + b1
            hid = np.maximum(pre, 0.0)
            p = 1.0 / (1.0 + np.exp(-np.clip(hid @ w2 + b2[0], -30, 30)))
            g = (p - yb) / len(idx)
            grads = [
                xb.T @ (np.outer(g, w2) * (pre > 0)) + l2 * w1,
                (np.outer(g, w2) * (pre > 0)).sum(axis=0),
                hid.T @ g + l2 * w2,
                np.array([g.sum()], dtype=np.float32),
            ]
            step += 1
            for k, grad in enumerate(grads):
                m[k] = 0.9 * m[k] + 0.1 * grad
                v[k] = 0.999 * v[k] + 0.001 * grad * grad
                mh = m[k] / (1 - 0.9**step)
                vh = v[k] / (1 - 0.999**step)
                params[k] = (params[k] - lr * mh / (np.sqrt(vh) + 1e-8)).astype(np.float32)
    w1, b1, w2, b2 = params
    return Head(mean.astype(np.float32), std.astype(np.float32), w1, b1, w2, float(b2[0]))
