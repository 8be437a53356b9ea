"""Published releases: immutable, numbered snapshots of the registry that readers serve."""
