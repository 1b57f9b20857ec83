"""Reasons shared by the bundles for capabilities a space does not define."""

NO_SUPERNET = (
    "no one-shot supernet is implemented for this space (weight sharing is defined here only for the nb201 cell, "
    "whose every edge holds all candidate ops)"
)
NO_COST_FORMULA = "no exact cost formula: surrogate costs come from a linear model fitted on the table's measured costs"
