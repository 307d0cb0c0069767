"""Rasa pipeline components of our own (config/config.yml names them by module path; Rasa imports them from
the working directory, the repository root, when it trains and when it loads a model)."""
