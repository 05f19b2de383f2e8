"""Training tracking: question banks of each revision, the ledger of rosters and results,
requirements per fiscal year, reports for the committee, the trainer's check page and SCORM
packages. The ``handbook training`` commands are a thin layer over these modules."""
