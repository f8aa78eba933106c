"""Herald: a network of regional news sites run from one newsroom."""
