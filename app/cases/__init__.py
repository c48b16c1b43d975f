"""The case log: journal, redaction, reports, bundles, and delivery to ticket systems."""
