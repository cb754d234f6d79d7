"""The checker's own error types: each maps to one thing the user should do next."""


class CheckerError(Exception):
    """Base class: the message is shown to the user as it is."""


class UsageError(CheckerError):
    """Bad command line (unknown stage, bad option)."""


class SpecError(CheckerError):
    """A stage's stage.toml is missing or wrong."""


class HostError(CheckerError):
    """The Xen test host failed: not the student's kernel (missing package, QEMU/Xen/dom0 trouble)."""
