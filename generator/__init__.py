"""Generate a policy handbook site, checklists, quiz decks and training records from YAML."""
