"""The ninjs syndication API: keys and rate limits, ninjs items, views, OpenAPI."""
