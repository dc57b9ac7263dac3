"""Storage: the SQLAlchemy schema (one module per kind of record), the engine, and the one state store."""
