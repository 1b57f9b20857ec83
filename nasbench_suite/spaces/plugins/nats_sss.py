"""The NATS-Bench size space: the channel count of each of 5 layers."""

from __future__ import annotations

from nasbench_suite.spaces.bundle import SpaceBundle
from nasbench_suite.spaces.categorical import CategoricalDescription, product_description
from nasbench_suite.spaces.plugins._reasons import NO_COST_FORMULA


NATS_NO_SUPERNET = (
    "no channel-width supernet is implemented (the ws-* strategies choose operations on edges; NATS-Bench's "
    "size-space baselines TAS, FBNetV2 and TuNAS share weights across widths with masked or sliced convolutions)"
)

def categorical() -> CategoricalDescription:
    """One decision per layer (``channels_<layer>``), the choices being the 8 channel counts."""
    from nasbench_suite.spaces.nats_sss import CHANNELS, NUM_LAYERS, Architecture

    names = [f"channels_{i}" for i in range(NUM_LAYERS)]
    return product_description("nats-sss", names, [CHANNELS] * NUM_LAYERS, lambda a: a.channels, Architecture)


BUNDLE = SpaceBundle(
    name="nats-sss",
    space="nasbench_suite.spaces.nats_sss:NATSSizeSpace",
    encoder="nasbench_suite.surrogates.encoders.nats_sss:NATSSizeEncoder",
    categorical="nasbench_suite.spaces.plugins.nats_sss:categorical",
    undefined=(("supernet", NATS_NO_SUPERNET), ("cost_formula", NO_COST_FORMULA)),
)
