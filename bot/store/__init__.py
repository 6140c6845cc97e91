"""Persistence: SQLAlchemy 2 async models, repository functions and Alembic migrations.

``db.Database`` owns the engine; ``repo`` has the reads and writes; ``models`` the tables.
"""
