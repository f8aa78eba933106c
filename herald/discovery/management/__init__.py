"""Management commands of discovery."""
