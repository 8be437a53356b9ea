"""The registry: one golden record per person and household, built from linked records and
their facts by survivorship rules written as data (`survivorship.yaml`), with every
disagreement between agencies kept in ``conflicts``."""
