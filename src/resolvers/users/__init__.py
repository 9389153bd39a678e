"""Users, franchises, departments and the caller (`me`)."""
