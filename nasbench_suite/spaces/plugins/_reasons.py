"""Reasons shared by the bundles for capabilities a space does not define."""

NO_COST_FORMULA = "no exact cost formula: surrogate costs come from a linear model fitted on the table's measured costs"
