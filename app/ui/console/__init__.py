"""The technician console window and its panels."""
