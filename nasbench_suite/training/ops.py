"""The candidate operations of the NAS-Bench-201 cell, as PyTorch modules.

``none`` edges are never built (a cell simply leaves them out), so only the
four operations that compute something are here. Convolutions follow the
official ReLU -> Conv (no bias) -> BatchNorm order.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

__all__ = ["OP_BUILDERS", "ReLUConvBN", "build_op"]


class ReLUConvBN(nn.Sequential):
    """ReLU, a bias-free convolution, then affine BatchNorm."""

    def __init__(self, c_in: int, c_out: int, kernel_size: int, *, stride: int = 1, padding: int = 0) -> None:
        super().__init__(
            nn.ReLU(inplace=False),
            nn.Conv2d(c_in, c_out, kernel_size, stride=stride, padding=padding, bias=False),
            nn.BatchNorm2d(c_out, affine=True, track_running_stats=True),
        )


def _avg_pool(channels: int) -> nn.Module:
    return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)


#: op name -> builder taking the channel count (cells keep the channel count)
OP_BUILDERS: dict[str, Callable[[int], nn.Module]] = {
    "skip_connect": lambda c: nn.Identity(),
    "nor_conv_1x1": lambda c: ReLUConvBN(c, c, 1),
    "nor_conv_3x3": lambda c: ReLUConvBN(c, c, 3, padding=1),
    "avg_pool_3x3": _avg_pool,
}


def build_op(name: str, channels: int) -> nn.Module:
    """The module computing op ``name`` on ``channels`` channels (``none`` is never built)."""
    try:
        return OP_BUILDERS[name](channels)
    except KeyError:
        from nasbench_suite.errors import UnknownNameError

        raise UnknownNameError("cell operation", name, sorted(OP_BUILDERS)) from None
