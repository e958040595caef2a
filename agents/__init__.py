"""Mesa agents (nations, firms) and AI doctrines. They read the world through `self.model`."""
