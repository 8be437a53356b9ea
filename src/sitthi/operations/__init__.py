"""The operational store: users, API clients, Data Sharing Agreements, the audit log.

The analytics store (DuckDB) holds the registry; this one (SQLAlchemy: SQLite in
development, PostgreSQL in production) holds who may read it, under which agreement, and
the hash-chained record of every read.

- `sitthi.operations.store`: `OperationsStore.open(url)`, migrated to the newest schema.
- `sitthi.operations.roles`: the five roles and DOPA area codes.
- `sitthi.operations.accounts`: users and API clients, their secrets hashed with argon2.
- `sitthi.operations.dsa`: Data Sharing Agreements as validated YAML.
- `sitthi.operations.audit`: append to the audit chain, verify it, find who read a person.

Modules are imported on use (SQLAlchemy and Alembic are not light), so this package only
documents them.
"""
