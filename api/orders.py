"""Orders to the provider: the provider's new orders, and one order (read only)."""

from __future__ import annotations

import datetime
import uuid

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from api.common import load_person, require_roles
from api.errors import responses
from audit.events import Access, log_accesses, log_list
from audit.models import Action
from organisation.permissions import CASE_ROLES, PROVIDER_ROLES
from provision import actions
from provision.models import Order, OrderStatus

router = Router(tags=["orders"])


class OrderOut(Schema):
    id: uuid.UUID
    decision_id: uuid.UUID
    person_id: uuid.UUID
    support_kind: str
    provider_unit: str
    goals: str
    period_from: datetime.date | None
    period_to: datetime.date | None
    status: str
    accepted_on: datetime.date | None
    # The order this one takes over from, when its decision changes or renews an earlier one.
    replaces_id: uuid.UUID | None


def order_out(order: Order) -> dict:
    return {
        **{
            n: getattr(order, n)
            for n in OrderOut.model_fields
            if n not in ("support_kind", "provider_unit")
        },
        "support_kind": order.support_kind.name,
        "provider_unit": order.provider_unit.name,
    }


ORDERS = Order.objects.select_related("support_kind", "provider_unit")


@router.get("", response=responses({200: list[OrderOut]}), summary="New orders to your units")
def inbox(request):
    require_roles(request, *PROVIDER_ROLES)
    orders = list(
        actions.orders_for_provider(request.user)
        .select_related("support_kind", "provider_unit")
        .filter(status=OrderStatus.NEW)
        .order_by("decided_on", "created_at", "id")
    )
    log_list(
        user=request.user,
        record_type="order",
        people=[o.person_id for o in orders],
        action=Action.READ,
    )
    return [order_out(o) for o in orders]


@router.get("/{order_id}", response=responses({200: OrderOut}), summary="An order")
def read(request, order_id: uuid.UUID):
    require_roles(request, *CASE_ROLES)
    order = get_object_or_404(ORDERS, pk=order_id)
    # As on the page: the provider unit may read its order before anyone is named on the case.
    if not actions.may_accept(request.user, order):
        load_person(request, order.person_id)
    log_accesses(
        user=request.user, accesses=[Access(order.person_id, "order", order.pk, Action.READ)]
    )
    return order_out(order)
