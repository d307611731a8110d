"""Data-sharing agreements compiled to SQL: row scopes, cell grants, suppression and audit."""
