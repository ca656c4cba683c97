"""The base layer: helpers every app shares. Imports no app of Brygga (docs/architecture.md)."""
