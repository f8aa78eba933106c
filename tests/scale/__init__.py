"""The scale-out suite: real Redis, Varnish, web and worker processes on loopback."""
