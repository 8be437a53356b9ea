"""Sitthi (สิทธิ): one accurate registry of vulnerable people, and the rights they hold.

The public API re-exports the pieces most users need; everything else lives in a
folder per capability (`sitthi.thai`, `sitthi.synth`, ...).
"""

__version__ = "0.1.0"
