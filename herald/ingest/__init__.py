"""Wire ingest: sources, wire items, clusters; fetch → parse → dedupe → route."""
