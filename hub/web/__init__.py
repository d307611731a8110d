"""The HTTP layer: routes, authentication and the GraphQL view."""
