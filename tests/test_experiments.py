"""actlib.experiments: the batched MLP ensemble equals separate networks, the initialisations have
the stated spread, the summaries compute what they say."""
import doctest
import math

import numpy as np
import pytest
import torch

import actlib.experiments as ex


@pytest.fixture(scope="module")
def data():
    return ex.circles(n=200, seed=1)


def test_doctests():
    result = doctest.testmod(ex)
    assert result.attempted >= 5 and result.failed == 0


def test_members_depend_only_on_their_own_seed():
    together = ex.Ensemble([2, 6, 6, 1], "tanh", seeds=[3, 7], init="he")
    alone = ex.Ensemble([2, 6, 6, 1], "tanh", seeds=[7], init="he")
    for a, b in zip(together.parameters(), alone.parameters()):
        assert torch.equal(a[1], b[0])
    assert not torch.equal(together.weights[0][0], together.weights[0][1])


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_training_an_ensemble_is_training_each_member_alone(data, optimizer):
    together = ex.Ensemble([2, 8, 8, 1], "silu", seeds=[0, 1, 2])
    ex.train(together, data.X_train, data.y_train, epochs=40, lr=0.05, optimizer=optimizer)
    for k, seed in enumerate(together.seeds):
        alone = ex.Ensemble([2, 8, 8, 1], "silu", seeds=[seed])
        ex.train(alone, data.X_train, data.y_train, epochs=40, lr=0.05, optimizer=optimizer)
        for a, b in zip(together.parameters(), alone.parameters()):
            torch.testing.assert_close(a[k], b[0], rtol=0, atol=1e-12)


def test_one_member_matches_a_plain_torch_mlp(data):
    net = ex.Ensemble([2, 5, 3], "gelu", seeds=[0])
    w0, w1 = (w[0].detach() for w in net.weights)
    b0, b1 = (b[0, 0].detach() for b in net.biases)
    plain = torch.nn.functional.gelu(data.X_train @ w0 + b0) @ w1 + b1
    torch.testing.assert_close(net(data.X_train)[0], plain, rtol=1e-14, atol=1e-14)
    expected = torch.nn.functional.cross_entropy(plain, data.y_train)
    torch.testing.assert_close(ex.loss_per_member(net, data.X_train, data.y_train)[0], expected)


@pytest.mark.parametrize("scheme, std", [("xavier", math.sqrt(2 / 800)), ("he", math.sqrt(2 / 400)),
                                         ("lecun", math.sqrt(1 / 400))])
def test_normal_initialisations_have_the_stated_spread(scheme, std):
    net = ex.Ensemble([400, 400, 1], "relu", seeds=[0], init=scheme, bias=0.25)
    w = net.weights[0].detach()
    assert abs(w.std().item() / std - 1) < 0.01  # 160,000 draws: sd of the estimate ~0.2 %
    assert abs(w.mean().item()) < 4 * std / 400
    assert torch.all(net.biases[0] == 0.25)


def test_default_initialisation_is_torch_linear_s():
    net = ex.Ensemble([100, 300, 1], None, seeds=[0])
    bound = 1 / 10
    w, b = net.weights[0].detach(), net.biases[0].detach()
    assert w.abs().max() <= bound and b.abs().max() <= bound
    assert abs(w.std().item() / (bound / math.sqrt(3)) - 1) < 0.02  # the sd of U(-a, a) is a/sqrt(3)


def test_gated_layers_are_twice_as_wide():
    net = ex.Ensemble([64, 10, 10], "swiglu", seeds=[0, 1])
    assert [tuple(w.shape) for w in net.weights] == [(2, 64, 20), (2, 10, 10)]
    assert net(torch.zeros(3, 64, dtype=torch.float64)).shape == (2, 3, 10)
    assert net.parameter_count() == 64 * 20 + 20 + 10 * 10 + 10


def test_no_activation_is_affine(data):
    net = ex.Ensemble([2, 7, 7, 1], None, seeds=[0])
    X = data.X_train
    # an affine map: f(a x + (1 - a) y) = a f(x) + (1 - a) f(y)
    mixed = net(0.3 * X[:10] + 0.7 * X[10:20])
    torch.testing.assert_close(mixed, 0.3 * net(X[:10]) + 0.7 * net(X[10:20]))


def test_trace_gives_every_layer(data):
    net = ex.Ensemble([2, 4, 5, 1], "relu", seeds=[0, 1])
    layers = net.trace(data.X_train)
    assert [tuple(h.shape) for h in layers] == [(2, 150, 4), (2, 150, 5), (2, 150, 1)]
    assert all((h >= 0).all() for h in layers[:-1])
    torch.testing.assert_close(layers[-1], net(data.X_train))


def test_accuracy_counts_correct_predictions(data):
    net = ex.Ensemble([2, 1], None, seeds=[0])
    with torch.no_grad():  # classify by the sign of the first coordinate
        net.weights[0].copy_(torch.tensor([[[1.0], [0.0]]]))
        net.biases[0].zero_()
    expected = ((data.X_test[:, 0] > 0).long() == data.y_test).double().mean().item()
    assert ex.accuracy(net, data.X_test, data.y_test)[0] == expected


def test_layer_gradient_norms_are_the_weight_gradients(data):
    net = ex.Ensemble([2, 4, 4, 2], "sigmoid", seeds=[0, 1], init="xavier")
    norms = ex.layer_gradient_norms(net, data.X_train, data.y_train)
    assert norms.shape == (2, 3)
    ex.loss_per_member(net, data.X_train, data.y_train)[1].backward()
    np.testing.assert_allclose(norms[1], [w.grad[1].norm().item() for w in net.weights], rtol=1e-12)


def test_training_reduces_the_loss_and_learns_the_circles(data):
    net = ex.Ensemble([2, 16, 1], "relu", seeds=range(3))
    curve = ex.train(net, data.X_train, data.y_train, epochs=200, lr=0.05)
    assert np.all(curve[:, -1] < 0.5 * curve[:, 0])
    assert ex.accuracy(net, data.X_test, data.y_test).min() >= 0.9


def test_train_can_record_evaluation_accuracy(data):
    net = ex.Ensemble([2, 8, 1], "tanh", seeds=range(2))
    loss, acc = ex.train(net, data.X_train, data.y_train, epochs=5, lr=0.05,
                         X_eval=data.X_test, y_eval=data.y_test)
    assert loss.shape == acc.shape == (2, 5) and np.all((0 <= acc) & (acc <= 1))


def test_spread():
    s = ex.Spread([1.0, 2.0, 3.0, 4.0])
    assert s.mean == 2.5 and s.sd == pytest.approx(np.sqrt(5 / 3))
    assert str(ex.Spread([0.5])) == "0.500 ± 0.000"
    assert not ex.Spread([0.1, 0.11]).overlaps(ex.Spread([0.9, 0.91]))


def test_data_sets():
    c = ex.circles(n=100, seed=0)
    assert c.X_train.shape == (75, 2) and c.X_test.shape == (25, 2)
    assert c.X_train.dtype == torch.float64 and c.y_train.dtype == torch.long
    assert sorted(c.y_test.tolist()).count(1) in (12, 13)  # stratified: 25 test points, half each
    d = ex.digits()
    assert d.X_train.shape[1] == 64 and len(d.X_train) + len(d.X_test) == 1797
    assert 0 <= d.X_train.min() and d.X_train.max() <= 1 and set(d.y_test.tolist()) == set(range(10))


def test_decision_grid():
    net = ex.Ensemble([2, 3, 1], "relu", seeds=[0, 1])
    xs, cls = ex.decision_grid(net, extent=1.0, n=11)
    assert xs[0] == -1 and xs[-1] == 1 and cls.shape == (2, 11, 11)
    point = torch.tensor([[xs[3], xs[7]]], dtype=torch.float64)  # row 7, column 3
    assert cls[1, 7, 3] == int(net(point)[1, 0, 0] > 0)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="init"):
        ex.Ensemble([2, 1], "relu", init="glorot")
    with pytest.raises(ValueError, match="sizes"):
        ex.Ensemble([2], "relu")
    with pytest.raises(ValueError, match="init"):
        ex.init_std("default", 1, 1)
