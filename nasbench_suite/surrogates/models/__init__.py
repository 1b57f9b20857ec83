"""Array models: scikit-learn regressors over encoded architectures, one module per model."""
