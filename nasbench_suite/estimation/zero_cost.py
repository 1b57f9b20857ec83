"""Zero-cost proxies: scores of an untrained network from one minibatch, one function each.

Every proxy is a function ``(net, x, y) -> float`` on a freshly initialized
network (see :mod:`nasbench_suite.estimation.zc_setup`, which builds it and
draws the minibatch). Definitions follow Abdelfattah et al., "Zero-Cost
Proxies for Lightweight NAS" (ICLR 2021) and Mellor et al., "Neural
Architecture Search without Training" (ICML 2021); "layers" are the
``Conv2d`` and ``Linear`` modules, and scores are sums over them:

``synflow``   sum |w * dR/dw| with R the summed output of the network whose
              parameters are replaced by their absolute values, on an all-ones
              input, in float64, BatchNorm in eval mode (identity at init).
``snip``      sum |w * dL/dw| with L the cross-entropy on the minibatch.
``grad_norm`` sum over layers of the Frobenius norm of dL/dw.
``grasp``     sum of -w * (H g) with g = dL/dw and H the Hessian of L.
``fisher``    sum over layer-output channels of 0.5 * mean_batch((a * dL/da) summed over space)^2,
              each channel's value counted once per weight of that channel (its
              fan-in), as the reference implementation broadcasts it to the weights.
``jacov``     -sum(log(v + 1e-5) + 1 / (v + 1e-5)) over the eigenvalues v of the
              correlation matrix of the per-sample input Jacobians of the summed output.
``nwot``      log|K| with K[i, j] the number of ReLU units on which samples i and j agree
              (both active or both inactive), summed over every ReLU (NASWOT).
``params``    trainable parameters; ``flops``: FLOPs of one input
              (:func:`nasbench_suite.training.costs.count_flops`).

A proxy that is undefined for a network raises :class:`ProxyUndefinedError`
with the reason; callers record NaN and the reason, never a made-up value.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from nasbench_suite.errors import NasBenchError
from nasbench_suite.registry import Registry

__all__ = [
    "DATA_FREE",
    "PROXIES",
    "ProxyUndefinedError",
    "fisher",
    "flops",
    "grad_norm",
    "grasp",
    "jacov",
    "nwot",
    "params",
    "snip",
    "synflow",
]

#: the constant of the jacov score (Mellor et al., v1)
JACOV_K = 1e-5


class ProxyUndefinedError(NasBenchError, ValueError):
    """A proxy that has no meaningful value for a network; the message says why."""


def _layers(net: nn.Module) -> list[nn.Module]:
    return [m for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]


def _finite(name: str, value: float) -> float:
    if not np.isfinite(value):
        raise ProxyUndefinedError(f"{name} is not finite ({value!r})")
    return float(value)


def _loss_backward(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> None:
    net.train()
    net.zero_grad(set_to_none=True)
    F.cross_entropy(net(x), y).backward()


def _grads(name: str, layers: list[nn.Module]) -> list[tuple[torch.Tensor, torch.Tensor]]:
    pairs = [(m.weight.detach(), m.weight.grad) for m in layers if m.weight.grad is not None]
    if not pairs:
        raise ProxyUndefinedError(f"{name}: no layer weight received a gradient")
    return pairs


def synflow(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Synaptic flow (Tanaka et al. 2020): data-free, on an all-ones input of ``x``'s shape (one sample)."""
    net = net.double().eval()
    with torch.no_grad():
        for p in net.state_dict().values():
            if p.is_floating_point():
                p.abs_()
    net.zero_grad(set_to_none=True)
    ones = torch.ones((1, *x.shape[1:]), dtype=torch.float64)
    net(ones).sum().backward()
    return _finite("synflow", sum(float((w * g).abs().sum()) for w, g in _grads("synflow", _layers(net))))


def snip(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Connection sensitivity (Lee et al. 2019): sum |w * dL/dw|."""
    _loss_backward(net, x, y)
    return _finite("snip", sum(float((w * g).abs().sum()) for w, g in _grads("snip", _layers(net))))


def grad_norm(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Sum over layers of the gradient's Frobenius norm."""
    _loss_backward(net, x, y)
    return _finite("grad_norm", sum(float(g.norm()) for _, g in _grads("grad_norm", _layers(net))))


def grasp(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Gradient signal preservation (Wang et al. 2020): sum of -w * (H g), by a Hessian-vector product."""
    net.train()
    weights = [m.weight for m in _layers(net)]
    loss = F.cross_entropy(net(x), y)
    g = torch.autograd.grad(loss, weights, allow_unused=True)
    used = [i for i, gi in enumerate(g) if gi is not None]
    if not used:
        raise ProxyUndefinedError("grasp: no layer weight received a gradient")
    loss = F.cross_entropy(net(x), y)
    g_graph = torch.autograd.grad(loss, [weights[i] for i in used], create_graph=True)
    z = sum((g[i].detach() * gg).sum() for i, gg in zip(used, g_graph))
    hg = torch.autograd.grad(z, [weights[i] for i in used], allow_unused=True)
    total = sum(float((-weights[i].detach() * h).sum()) for i, h in zip(used, hg) if h is not None)
    return _finite("grasp", total)


def fisher(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Fisher information of the layer outputs (Theis et al. 2018, as in Abdelfattah et al.)."""
    net.train()
    net.zero_grad(set_to_none=True)
    terms: list[float] = []

    def hook(module: nn.Module, __: object, out: torch.Tensor) -> None:
        act = out.detach()
        fan_in = module.weight[0].numel()  # weights per output channel

        def on_grad(grad: torch.Tensor) -> None:
            prod = act * grad
            if prod.dim() == 4:
                prod = prod.sum(dim=(2, 3))
            terms.append(fan_in * float((0.5 * prod.pow(2).mean(0)).sum()))

        if out.requires_grad:
            out.register_hook(on_grad)

    handles = [m.register_forward_hook(hook) for m in _layers(net)]
    try:
        F.cross_entropy(net(x), y).backward()
    finally:
        for h in handles:
            h.remove()
    if not terms:
        raise ProxyUndefinedError("fisher: no layer output received a gradient")
    return _finite("fisher", sum(terms))


def jacov(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Jacobian covariance (Mellor et al. 2020, v1) of the per-sample input gradients."""
    net.train()
    x = x.clone().requires_grad_(True)
    out = net(x)
    (jac,) = torch.autograd.grad(out.sum(), x, allow_unused=True)
    if jac is None:
        raise ProxyUndefinedError("jacov: the output does not depend on the input")
    jac = jac.reshape(len(x), -1).double().numpy()
    if np.any(jac.std(axis=1) == 0):
        raise ProxyUndefinedError("jacov: an input Jacobian is constant, so its correlation is undefined")
    eig = np.linalg.eigvalsh(np.corrcoef(jac))
    return _finite("jacov", -float(np.sum(np.log(eig + JACOV_K) + 1.0 / (eig + JACOV_K))))


def nwot(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """NASWOT (Mellor et al. 2021): log-determinant of the ReLU activation-pattern kernel."""
    net.train()
    kernel = torch.zeros(len(x), len(x), dtype=torch.float64)

    def hook(_: nn.Module, __: object, out: torch.Tensor) -> None:
        codes = (out.detach() > 0).flatten(1).double()
        kernel.add_(codes @ codes.T + (1.0 - codes) @ (1.0 - codes).T)

    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, nn.ReLU)]
    try:
        with torch.no_grad():
            net(x)
    finally:
        for h in handles:
            h.remove()
    sign, logdet = np.linalg.slogdet(kernel.numpy())
    if sign <= 0:
        raise ProxyUndefinedError("nwot: the activation-pattern kernel is singular (samples share activation codes)")
    return _finite("nwot", float(logdet))


def params(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Trainable parameter count."""
    from nasbench_suite.training.costs import count_params

    return float(count_params(net))


def flops(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """FLOPs of one forward pass of one input (convolutions and matrix products)."""
    from nasbench_suite.training.costs import count_flops

    return float(count_flops(net, x[:1]))


#: proxy name -> function ``(net, x, y) -> float``
PROXIES: Registry = Registry("zero-cost proxy")
for _name in ("synflow", "snip", "grad_norm", "grasp", "fisher", "jacov", "nwot", "params", "flops"):
    PROXIES.register(_name, f"nasbench_suite.estimation.zero_cost:{_name}")
del _name

#: proxies that do not need a path from the input to the output (static properties of the network)
DATA_FREE: frozenset[str] = frozenset({"params", "flops"})
