"""Training the e5 tier's heads and combination on the project's own corpus (scikit-learn, training time only)."""
