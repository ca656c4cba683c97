"""Adding a document checks its own permission, whatever calls it."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from documents import actions
from documents.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize("who", ["colleague", "analyst"])
def test_only_those_who_may_change_the_record_add_documents(request, who, person):
    with pytest.raises(PermissionDenied):
        actions.add_attachment(
            user=request.getfixturevalue(who),
            person=person,
            case=None,
            title="Intyg",
            kind="other",
            filename="intyg.pdf",
            content=PDF,
        )
    assert not Attachment.objects.exists()
