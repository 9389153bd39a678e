"""Events: tasks, appointments and follow-ups (seed 004 EventBase)."""
