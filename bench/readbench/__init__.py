"""Read-path benchmark: the hub against PostGraphile v5 on one PostgreSQL database (issue 5)."""
