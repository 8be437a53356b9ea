"""One exception hierarchy. The CLI prints any `SitthiError` as one clear line."""


class SitthiError(Exception):
    """Base of every error a user can cause and fix (bad input, bad option, bad file)."""


class ValidationError(SitthiError):
    """A value or a file does not have the shape Sitthi expects."""


class SourceSpecError(ValidationError):
    """An agency source spec is malformed (named by file, line and field)."""


class RuleError(ValidationError):
    """A programme rule cannot be validated or compiled."""


class AccessDenied(SitthiError):
    """A role or a Data Sharing Agreement does not allow this read."""


class ConfigError(SitthiError):
    """The configuration is unsafe or incomplete."""
