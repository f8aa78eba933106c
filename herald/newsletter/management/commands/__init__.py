"""`herald` commands of the newsletter app."""
