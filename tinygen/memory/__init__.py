"""Memory planning: where each activation tensor lives in the one static arena."""
