"""Official skeletons against the parameter counts their benchmarks publish, one test per space.

Each test names its source and its tolerance. Counts are of trainable parameters
(:func:`nasbench_suite.training.costs.count_params`).
"""

from __future__ import annotations

import json

import pytest

from nasbench_suite.training.builders import get_builder
from nasbench_suite.training.costs import count_params


def _exact_in_millions(got: int, published: float) -> bool:
    return round(got / 1e6, 6) == round(float(published), 6)


def test_nb101_official_params(reference_dir) -> None:
    """Source: NAS-Bench-Suite-Zero's NB101 sample (``params`` in M with 6 decimals, 500 cells, CIFAR-10).

    Tolerance: exact (the published 6 decimals are the integer count), every 5th cell.
    """
    from nasbench_suite.spaces.nb101 import Architecture

    records = json.loads((reference_dir / "nb101_zc" / "zc_nasbench101.json").read_text())["nasbench101"]["cifar10"]
    builder = get_builder("nb101", "official")
    wrong = []
    for key, rec in list(records.items())[::5]:
        arch = Architecture.from_naslib(key)
        got = count_params(builder.build(arch))
        if not _exact_in_millions(got, rec["params"]):
            wrong.append((arch.to_string(), got, rec["params"]))
    assert not wrong, wrong[:5]


#: DARTS-V2, the genotype of Liu et al. (ICLR 2019), ``cnn/genotypes.py`` of their code
DARTS_V2 = (
    "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), "
    "('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], "
    "reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), "
    "('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])"
)


def test_darts_official_params() -> None:
    """Source: DARTS paper, Table 1: DARTS (second order) has 3.3 M parameters on CIFAR-10 (C=36, 20 cells).

    The count excludes the auxiliary head, as DARTS's ``utils.count_parameters_in_MB``
    does (it skips parameters named ``auxiliary``); its training log prints
    ``param size = 3.349342MB`` for this genotype. Tolerance: exact against
    that logged count, and so within the paper's rounding (3.3 M +- 0.05 M).
    """
    got = count_params(get_builder("darts", "official").build(DARTS_V2))
    assert got == 3_349_342
    assert abs(got - 3.3e6) <= 0.05e6


def test_nats_sss_official_params(reference_dir) -> None:
    """Source: the NATS-Bench size-space archive records (``params`` in M) of configurations 0, 11 and 284.

    Read from NATS-Bench's own sample archive; CIFAR-10 and CIFAR-100 differ in
    the classifier. Tolerance: exact (6 published decimals).
    """
    from nasbench_suite.importers._safe_pickle import load_pickle_bz2

    folder = reference_dir / "nats_archive_sample" / "NATS-sss-v1_0-50262-simple"
    builder = get_builder("nats-sss", "official")
    checked = 0
    for index in (0, 11, 284):
        record = load_pickle_bz2(folder / f"{index:06d}.pickle.pbz2")["12"]
        for (dataset, _seed), result in record["all_results"].items():
            classes = {"cifar10": 10, "cifar100": 100}.get(dataset)
            if classes is None:
                continue
            got = count_params(builder.build(record["arch_str"], num_classes=classes))
            assert _exact_in_millions(got, result["params"]), (record["arch_str"], dataset, got, result["params"])
            checked += 1
    assert checked >= 6


@pytest.mark.parametrize(("space", "module"), [("transnas101-micro", "micro"), ("transnas101-macro", "macro")])
def test_transnas101_official_params(reference_dir, space: str, module: str) -> None:
    """Source: NAS-Bench-Suite-Zero's TransNAS-Bench-101 tables (``params`` in M, 6 decimals), the two
    classification tasks: class_scene (63 classes) and class_object (100 classes).

    Those counts are of networks with TransNAS-Bench-101's classification head;
    the other tasks' decoders are not built here. Tolerance: exact, every 25th architecture.
    """
    from nasbench_suite.spaces import get_space

    records = json.loads((reference_dir / "transnas101_zc" / f"zc_transbench101_{module}.json").read_text())
    builder = get_builder(space, "official")
    sp = get_space(space)
    from nasbench_suite.importers.naslib_zc import transnas_macro_from_naslib, transnas_micro_from_naslib

    parse = transnas_micro_from_naslib if module == "micro" else transnas_macro_from_naslib
    wrong = []
    for task, classes in (("class_scene", 63), ("class_object", 100)):
        for key, rec in list(records[task].items())[::25]:
            arch = sp.parse(parse(key).to_string())
            got = count_params(builder.build(arch, num_classes=classes))
            if not _exact_in_millions(got, rec["params"]["score"]):
                wrong.append((task, arch.to_string(), got, rec["params"]["score"]))
    assert not wrong, wrong[:5]
