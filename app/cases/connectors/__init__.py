"""One small module per ticket system, each over one HTTP client."""
