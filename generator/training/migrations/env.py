"""Alembic environment of the training ledger: always run by ``generator.training.ledger.open_ledger``
on a connection it has already locked, never from the alembic command line."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
