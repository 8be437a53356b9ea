"""Tests of sitthi.operations: the operational store, accounts, DSAs, the audit log."""
