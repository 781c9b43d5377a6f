"""The MRSO's daily zone audits: checklists from rules/audits.yaml, drafts, signing, amendments."""
