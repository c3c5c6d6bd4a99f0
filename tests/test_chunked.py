"""The torch fast paths that work block by block (``actlib._ops.chunked_map``) give, on a tensor
of many blocks, the values of small calls (one block): the same NaN, infinities and zeros, and
the same numbers up to the last bits (torch's vectorised and scalar loops, which a thread split
of a large tensor mixes, may round differently)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import actlib
from actlib import _ops

NAMES = ["siren", "tanhshrink", "sigmoid", "tanh", "silu", "gelu", "gelu_tanh", "hardswish", "mish"]


def _input(dtype):
    rng = np.random.default_rng(1)
    special = [np.nan, np.inf, -np.inf, 0.0, -0.0, 3.0, -3.0, 1e30, -1e30, 1e-40, -1e-40]
    x = np.concatenate([rng.standard_normal(3 * _ops._CHUNK + 17) * 4, special * 50])
    return torch.tensor(rng.permutation(x), dtype=dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("name", NAMES)
def test_blocks_agree_with_small_calls(name, dtype):
    act = actlib.get(name)
    x = _input(dtype).requires_grad_(True)
    y = act(x)
    (g,) = torch.autograd.grad(y, x, torch.ones_like(y))
    small = x.detach()[:: 997].clone()       # fewer elements than one block
    ys, gs = [], []
    for i in range(0, small.numel(), 64):
        xs = small[i:i + 64].clone().requires_grad_(True)
        yi = act(xs)
        ys.append(yi.detach())
        gs.append(torch.autograd.grad(yi, xs, torch.ones_like(yi))[0])
    torch.testing.assert_close(y.detach()[:: 997], torch.cat(ys), equal_nan=True)
    torch.testing.assert_close(g[:: 997], torch.cat(gs), equal_nan=True)


@pytest.mark.parametrize("name", NAMES)
def test_every_element_matches_the_whole_tensor_formula(name):
    """All elements, not a sample: the block loop (temporaries from the per-thread workspace)
    against one out-of-place evaluation of the whole tensor (what a recorded graph runs)."""
    act = actlib.get(name)
    x = _input(torch.float64)
    with torch.no_grad():
        blocked = act(x)
    with torch.enable_grad():
        whole = act(x.clone().requires_grad_(True)).detach()
    torch.testing.assert_close(blocked, whole, equal_nan=True)


def test_scratch_is_fresh_outside_the_block_loop():
    x = torch.ones(10)
    a, b = _ops.scratch(x, 0), _ops.scratch(x, 0)
    assert a.data_ptr() != b.data_ptr()          # two calls, two tensors: nothing is shared


def test_workspace_is_per_thread():
    """Two threads computing at once get the results of one thread alone."""
    import threading
    act = actlib.get("gelu")
    xs = [_input(torch.float32) * s for s in (1.0, -0.5)]
    with torch.no_grad():
        want = [act(x) for x in xs]
        got = [None, None]

        def run(i):
            for _ in range(3):
                got[i] = act(xs[i])
        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for w, g in zip(want, got):
        assert torch.equal(torch.nan_to_num(w, nan=7.0), torch.nan_to_num(g, nan=7.0))


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_row_blocks_agree_with_small_calls(name):
    """The row-blocked torch forward (each block's last pass written into the output) against
    the same rows computed a few at a time, with infinite and NaN rows among them."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((700, 1000)) * 4
    x[3, 5] = np.inf
    x[400, :] = -np.inf
    x[650, 7] = np.nan
    x[699, :3] = np.inf
    xt = torch.tensor(x, dtype=torch.float32)
    act = actlib.get(name)
    want = torch.cat([act(xt[i:i + 50]) for i in range(0, 700, 50)])
    assert xt.numel() > 2 * (1 << 18)          # several row blocks
    assert torch.equal(torch.nan_to_num(act(xt), nan=7.0), torch.nan_to_num(want, nan=7.0))
