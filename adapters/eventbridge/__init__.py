"""EventBridge adapter: domain events onto a bus with PutEvents."""
