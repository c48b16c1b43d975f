"""The end-user assist app ("Get help")."""
