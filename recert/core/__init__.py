"""The domain: certifying bodies, professionals, certifications, credits, documents, history."""
