"""`herald rebuild_search_index`."""
