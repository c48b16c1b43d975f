"""Reaching the user's machine: SSH, tunnels, pairing, the wire protocol, the session, screen and input."""
