"""Fixtures for attached documents."""

from __future__ import annotations

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests name each refusal by its English msgid; tests/test_translations.py checks
    that the pages speak Swedish by default."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
