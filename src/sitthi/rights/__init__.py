"""The rights engine: programmes as data, entitlements and the gaps between them and payments.

A programme is a YAML file (`programmes/*.yaml`): who is eligible and how much they get, as
restricted SQL expressions over the profile (`sitthi.registry.profile.PROFILE_COLUMNS`),
validated and compiled with sqlglot for the engine at hand.
"""
