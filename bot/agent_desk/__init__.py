"""The agents' console: handed-over conversations as topics of a forum supergroup, and their relay."""
