"""Evidence from the web: fetching pages under the network policy, and web search."""
