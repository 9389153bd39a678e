"""The simulator's ``status.code`` values. Seeds 001 and 003 show only "OK"; the failure codes are the
simulator's assumption (CRM.COM answers failures in the same envelope, with its own code)."""

OK = "OK"
AUTHENTICATION_FAILED = "AUTHENTICATION_FAILED"  # login with a wrong username, password or organisation
INVALID_TOKEN = "INVALID_TOKEN"  # no token, or one this server never issued
TOKEN_EXPIRED = "TOKEN_EXPIRED"  # a token that was valid once: log in again
MANDATORY_FIELD_MISSING = "MANDATORY_FIELD_MISSING"
INVALID_VALUE = "INVALID_VALUE"
UNKNOWN_PARAMETER = "UNKNOWN_PARAMETER"  # a name the method's parameter table does not list
NOT_FOUND = "NOT_FOUND"  # an identifier that names no record of the caller's organisation
INVALID_LIFE_CYCLE_STATE = "INVALID_LIFE_CYCLE_STATE"  # e.g. completing a queue entry that is not PENDING
LOGIN_FIELDS = ("username", "password", "organisation")
