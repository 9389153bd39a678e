"""The reference operations (Q1-Q5, M1, M2) as GraphQL documents for each system under test.

The three systems expose the same rows and fields under different names: the gateway's own graph,
the plain-resolver baseline (``bench/baselines/naive.py``, the gateway's names where it can) and
PostGraphile's generated API. Keep the three selections equivalent when one changes.
"""

from __future__ import annotations

GATEWAY = "gateway"
NAIVE = "naive"
POSTGRAPHILE = "postgraphile"
# The same two servers run as two processes each (``serve --workers 2``, PostGraphile's
# ``--cluster-workers 2``): they answer the same documents as their one-process selves.
GATEWAY_WORKERS = "gateway-2w"
POSTGRAPHILE_WORKERS = "postgraphile-2w"
SYSTEMS = (GATEWAY, GATEWAY_WORKERS, NAIVE, POSTGRAPHILE, POSTGRAPHILE_WORKERS)
GATEWAYS = (GATEWAY, GATEWAY_WORKERS)
POSTGRAPHILES = (POSTGRAPHILE, POSTGRAPHILE_WORKERS)
# Each system's counterpart in the other server: gateway-2w is compared with postgraphile-2w.
COUNTERPART = {GATEWAY: POSTGRAPHILE, GATEWAY_WORKERS: POSTGRAPHILE_WORKERS}
_ONE_PROCESS = {GATEWAY_WORKERS: GATEWAY, POSTGRAPHILE_WORKERS: POSTGRAPHILE}


def dialect(system: str) -> str:
    """Whose documents and ID format a system speaks: a multi-process server, its own server's."""
    return _ONE_PROCESS.get(system, system)


# Q1: the contact list page; Q3 is the same selection after a cursor far into the list.
_GATEWAY_CONTACT_ROW = """
  id displayName
  emails { email type isPrimary }
  accounts(first: 3) { edges { node { id name } } }
  leads(first: 5) { edges { node { id subject status stage { id name } } } }
  tasks(first: 5) { edges { node { id title start assignee { id displayName } } } }
"""

GATEWAY_LIST = f"""
query ContactList($first: Int!, $after: String) {{
  contacts(first: $first, after: $after) {{
    edges {{ cursor node {{ {_GATEWAY_CONTACT_ROW} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

# Q2: one contact with every relation the graph offers.
GATEWAY_DETAIL = """
query ContactDetail($id: ID!) {
  contact(id: $id) {
    id displayName firstName lastName companyName kind gender language city country optOut version
    emails { email type isPrimary }
    phones { number mode type isPrimary }
    addresses { type line1 city zip country isPrimary }
    thirdPartyIds { systemName thirdPartyId }
    permissions { ownerOnly permission }
    accounts(first: 10) { edges { node { id name city } } }
    leads(first: 10) { edges { node { id subject status stage { id name }
      assignees(first: 5) { edges { node { id displayName } } } } } }
    events(first: 10) { edges { node { id kind title start assignee { id displayName } } } }
    communications(first: 10) { edges { node { id number direction subject } } }
  }
}
"""

# Q4 and Q5: list shapes rooted elsewhere than ``contacts`` (issue 25), as a new user would write them:
# accounts with their contacts and leads, tasks with their lead, contact and assignee.
GATEWAY_ACCOUNTS = """
query AccountList($first: Int!) {
  accounts(first: $first) {
    edges { cursor node {
      id name city
      contacts(first: 5) { edges { node { id firstName lastName companyName } } }
      leads(first: 5) { edges { node { id subject status stage { id name } } } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

GATEWAY_TASKS = """
query TaskList($first: Int!) {
  tasks(first: $first) {
    edges { cursor node {
      id title start
      lead { id subject status }
      contact { id firstName lastName }
      assignee { id username firstname lastname }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

GATEWAY_CREATE = """
mutation ContactCreate($input: ContactCreateInput!) {
  contactCreate(input: $input) { contact { id displayName } errors { code message } }
}
"""

GATEWAY_MOVE = """
mutation LeadMove($id: ID!, $stageId: ID!) {
  leadMoveToStage(id: $id, stageId: $stageId) { lead { id stage { id name } } errors { code message } }
}
"""

# The plain-resolver baseline names its fields like the gateway, with plain lists for the nested
# relations (it has no connections below the top level) and contact ids in its own (raw UUID) form.
_NAIVE_CONTACT_ROW = """
  id displayName
  emails { email type isPrimary }
  accounts(first: 3) { id name }
  leads(first: 5) { id subject status stage { id name } }
  tasks(first: 5) { id title start assignee { id displayName } }
"""

NAIVE_LIST = f"""
query ContactList($first: Int!, $after: String) {{
  contacts(first: $first, after: $after) {{
    edges {{ cursor node {{ {_NAIVE_CONTACT_ROW} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

NAIVE_DETAIL = """
query ContactDetail($id: ID!) {
  contact(id: $id) {
    id displayName firstName lastName companyName kind gender language city country optOut version
    emails { email type isPrimary }
    phones { number mode type isPrimary }
    addresses { type line1 city zip country isPrimary }
    thirdPartyIds { systemName thirdPartyId }
    permissions { ownerOnly permission }
    accounts(first: 10) { id name city }
    leads(first: 10) { id subject status stage { id name } assignees(first: 5) { id displayName } }
    events(first: 10) { id kind title start assignee { id displayName } }
    communications(first: 10) { id number direction subject }
  }
}
"""

# PostGraphile v4 generated names; ``condition: {tenant}`` stands for the gateway's tenant scoping.
_POSTGRAPHILE_CONTACT_ROW = """
  id firstName lastName companyName
  emailsByOwnerId(condition: {tenant: $tenant}, orderBy: POSITION_ASC) { nodes { email type isPrimary } }
  accountContactsByContactId(first: 3, condition: {tenant: $tenant}) {
    nodes { accountByAccountId { id name } } }
  leadsByContactId(first: 5, orderBy: [DATE_CREATED_ASC, ID_ASC],
    condition: {tenant: $tenant, isDeleted: false}) {
    nodes { id subject status stageByStageId { id name } } }
  tasks: eventsByContactId(first: 5, orderBy: [DATE_CREATED_ASC, ID_ASC],
    condition: {tenant: $tenant, kind: "TASK", isDeleted: false}) {
    nodes { id title start userByAssigneeId { id firstname lastname username } } }
"""

POSTGRAPHILE_LIST = f"""
query ContactList($tenant: String!, $first: Int!, $after: Cursor) {{
  allContacts(first: $first, after: $after, orderBy: [DATE_CREATED_ASC, ID_ASC],
    condition: {{tenant: $tenant, isDeleted: false}}) {{
    edges {{ cursor node {{ {_POSTGRAPHILE_CONTACT_ROW} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

POSTGRAPHILE_DETAIL = """
query ContactDetail($tenant: String!, $id: UUID!) {
  contactById(id: $id) {
    id firstName lastName companyName kind gender language city country optOut version
    emailsByOwnerId(condition: {tenant: $tenant}) { nodes { email type isPrimary } }
    phonesByOwnerId(condition: {tenant: $tenant}) { nodes { number mode type isPrimary } }
    addressesByOwnerId(condition: {tenant: $tenant}) { nodes { type line1 city zip country isPrimary } }
    thirdPartyIdsByOwnerId(condition: {tenant: $tenant}) { nodes { systemName thirdPartyId } }
    contactPermissionsByOwnerId(condition: {tenant: $tenant}) { nodes { ownerOnly permission } }
    accountContactsByContactId(first: 10, condition: {tenant: $tenant}) {
      nodes { accountByAccountId { id name city } } }
    leadsByContactId(first: 10, condition: {tenant: $tenant}) {
      nodes { id subject status stageByStageId { id name }
        leadAssigneesByLeadId(first: 5) { nodes { userByUserId { id firstname lastname username } } } } }
    eventsByContactId(first: 10, condition: {tenant: $tenant}) {
      nodes { id kind title start userByAssigneeId { id firstname lastname username } } }
    communicationsByContactId(first: 10, condition: {tenant: $tenant}) {
      nodes { id number direction subject } }
  }
}
"""

POSTGRAPHILE_ACCOUNTS = """
query AccountList($tenant: String!, $first: Int!) {
  allAccounts(first: $first, orderBy: [DATE_CREATED_ASC, ID_ASC],
    condition: {tenant: $tenant, isDeleted: false}) {
    edges { cursor node {
      id name city
      accountContactsByAccountId(first: 5, condition: {tenant: $tenant}) {
        nodes { contactByContactId { id firstName lastName companyName } } }
      leadsByAccountId(first: 5, orderBy: [DATE_CREATED_ASC, ID_ASC],
        condition: {tenant: $tenant, isDeleted: false}) {
        nodes { id subject status stageByStageId { id name } } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

POSTGRAPHILE_TASKS = """
query TaskList($tenant: String!, $first: Int!) {
  allEvents(first: $first, orderBy: [DATE_CREATED_ASC, ID_ASC],
    condition: {tenant: $tenant, kind: "TASK", isDeleted: false}) {
    edges { cursor node {
      id title start
      leadByLeadId { id subject status }
      contactByContactId { id firstName lastName }
      userByAssigneeId { id username firstname lastname }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# The plain-resolver baseline has no root lists of accounts or tasks: Q4 and Q5 skip it.
QUERIES = {
    GATEWAY: {
        "list": GATEWAY_LIST,
        "detail": GATEWAY_DETAIL,
        "accounts": GATEWAY_ACCOUNTS,
        "tasks": GATEWAY_TASKS,
    },
    NAIVE: {"list": NAIVE_LIST, "detail": NAIVE_DETAIL},
    POSTGRAPHILE: {
        "list": POSTGRAPHILE_LIST,
        "detail": POSTGRAPHILE_DETAIL,
        "accounts": POSTGRAPHILE_ACCOUNTS,
        "tasks": POSTGRAPHILE_TASKS,
    },
}
LIST_DOCUMENTS = ("accounts", "tasks")  # Q4 and Q5: a page of the root list, first: N

# Only the cursors: used once to walk far into the list, cheap on every system. Q3 starts after the
# last; Q3w ("Q3 walking") sends a different one of them with each request.
CURSOR_WALK = {
    GATEWAY: "query Walk($first: Int!, $after: String) "
    "{ contacts(first: $first, after: $after) { edges { cursor } pageInfo { endCursor } } }",
    NAIVE: "query Walk($first: Int!, $after: String) "
    "{ contacts(first: $first, after: $after) { edges { cursor } pageInfo { endCursor } } }",
    POSTGRAPHILE: "query Walk($tenant: String!, $first: Int!, $after: Cursor) "
    "{ allContacts(first: $first, after: $after, orderBy: [DATE_CREATED_ASC, ID_ASC], "
    "condition: {tenant: $tenant, isDeleted: false}) { edges { cursor } pageInfo { endCursor } } }",
}
