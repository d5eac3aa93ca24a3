"""The review app: a local web app in which an archivist reviews and corrects a migrated DIR."""
