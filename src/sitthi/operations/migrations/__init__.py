"""Alembic migrations of the operational store (run by `OperationsStore.open`)."""
