"""One declarative factory for the areas' create, update, delete and restore mutations.

In the spirit of Saleor's ModelMutation: an area subclasses ``CrudMutations``, declares its record
type, inputs and permission per operation, and overrides the hooks where it differs; the factory builds
the payload types (``{ <record> errors }``, ``{ deletedId errors }``) and the mutation fields with the
usual arguments (``input``, ``idempotencyKey``, ``id``, ``expectedVersion``) and descriptions.
"""

# Names re-exported for the areas (``import X as X``: the explicit re-export form).
from resolvers.common.crud.actions import action as action
from resolvers.common.crud.factory import Change as Change
from resolvers.common.crud.factory import CrudMutations as CrudMutations
from resolvers.common.crud.factory import Target as Target
from resolvers.common.crud.fields import argument as argument
from resolvers.common.crud.fields import optional_argument as optional_argument
from resolvers.common.crud.texts import CREATE as CREATE
from resolvers.common.crud.texts import CRUD as CRUD
from resolvers.common.crud.texts import DELETE as DELETE
from resolvers.common.crud.texts import RESTORE as RESTORE
from resolvers.common.crud.texts import UPDATE as UPDATE
from resolvers.common.crud.texts import Operation as Operation
from resolvers.common.crud.texts import Texts as Texts
from resolvers.common.crud.texts import crud_permissions as crud_permissions
