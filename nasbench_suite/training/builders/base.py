"""The :class:`Builder` record: how one skeleton turns a space's architecture into a network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # torch is imported only by the space modules that build networks
    from torch import nn

__all__ = ["Builder"]


@dataclass(frozen=True)
class Builder:
    """One skeleton of one space: builds the network of an architecture of that space.

    ``channels`` and ``cells`` are the skeleton's defaults for the two size
    knobs every skeleton has; what they count is space-specific and said in
    ``channels_meaning`` / ``cells_meaning`` (e.g. NB201: channels of the
    first stage and cells per stage; DARTS: the initial channels C and the
    total number of cells). ``image_size`` is the input resolution the
    skeleton was published for (the network accepts others).

    Examples
    --------
    >>> from nasbench_suite.training.builders import get_builder
    >>> b = get_builder("nb201", "light")
    >>> (b.channels, b.cells)
    (8, 1)
    """

    space: str
    skeleton: str
    description: str
    channels: int
    cells: int
    channels_meaning: str
    cells_meaning: str
    image_size: int
    factory: Callable[..., nn.Module]

    def build(
        self,
        arch: Any,
        *,
        in_channels: int = 3,
        num_classes: int = 10,
        channels: int | None = None,
        cells: int | None = None,
    ) -> nn.Module:
        """The network of ``arch`` (an architecture of :attr:`space`, or its string or index).

        ``channels`` / ``cells`` default to the skeleton's own; the module's
        ``forward`` maps ``(batch, in_channels, H, W)`` images to ``(batch, num_classes)`` logits.
        """
        from nasbench_suite.spaces import get_space

        channels = self.channels if channels is None else int(channels)
        cells = self.cells if cells is None else int(cells)
        for name, value in (("in_channels", in_channels), ("num_classes", num_classes), ("channels", channels), ("cells", cells)):
            if isinstance(value, bool) or int(value) < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        parsed = get_space(self.space).parse(arch)
        return self.factory(parsed, in_channels=int(in_channels), num_classes=int(num_classes), channels=channels, cells=cells)
