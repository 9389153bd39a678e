"""Contact relations: seed 000 key relationships and connections, seed 003 relation_set."""
