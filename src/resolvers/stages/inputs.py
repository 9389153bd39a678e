"""Filter, order and mutation inputs of stages."""

from __future__ import annotations

from enum import Enum

import strawberry
from strawberry import UNSET

from resolvers.common.fields import optional_field as _f
from resolvers.common.filters import IDFilter, IntFilter, StringFilter
from resolvers.common.ordering import OrderDirection


@strawberry.enum(description="Fields stages can be sorted by.")
class StageOrderField(Enum):
    POSITION = strawberry.enum_value("position", description="Position in the pipeline.")
    NAME = strawberry.enum_value("name", description="Name.")
    DATE_CREATED = strawberry.enum_value("date_created", description="Creation time.")


@strawberry.input(description="Which stages to return; all given conditions must hold.")
class StageFilter:
    and_: list[StageFilter] | None = _f("All of these filters hold.", name="and")
    or_: list[StageFilter] | None = _f("At least one of these filters holds.", name="or")
    not_: StageFilter | None = _f("This filter does not hold.", name="not")
    id: IDFilter | None = _f("The stage's ID.")
    name: StringFilter | None = _f("Name.")
    position: IntFilter | None = _f("Position in the pipeline.")


@strawberry.input(description="A sort key for stages.")
class StageOrder:
    field: StageOrderField = strawberry.field(description="What to sort by.")
    direction: OrderDirection = strawberry.field(
        default=OrderDirection.ASC, description="Ascending or descending."
    )


@strawberry.input(description="A new pipeline stage.")
class StageCreateInput:
    name: str = strawberry.field(description="Name (required).")
    position: int = strawberry.field(default=0, description="Position in the pipeline, 0 first.")


@strawberry.input(description="Changes to a stage.")
class StageUpdateInput:
    name: str | None = strawberry.field(default=UNSET, description="Name.")
    position: int | None = strawberry.field(default=UNSET, description="Position in the pipeline.")


STAGE_COLUMNS = ("name", "position")
