"""Rendering the daily email: what an issue holds (contents), the blocks its
messages share (cache), one delivery's message (message), MIME and SMTP DATA
form (mime) and the signed mailto address (signing)."""
