"""The demo's group mappings: one per demo role, and loading twice changes nothing."""

from demo.data import _units
from demo.sso import load_sso
from sso.models import GroupRole


def test_the_demo_maps_a_group_to_every_demo_role(db):
    units = _units()
    load_sso(units)
    load_sso(units)
    assert GroupRole.objects.count() == 8
    assert set(GroupRole.objects.values_list("role", flat=True)) == {
        "officer",
        "coordinator",
        "manager",
        "analyst",
        "meeting_place",
        "admin",
    }
    assert GroupRole.objects.get(group="brygga-team-norr").unit.name.startswith("Team Norr")
