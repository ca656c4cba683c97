"""The decisions' fixtures (a kind of support, an application, the officer's delegation)."""

from tests.decisions.conftest import application, apply, delegation, kind  # noqa: F401
