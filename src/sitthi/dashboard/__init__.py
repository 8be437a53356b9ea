"""One Map, the dashboard: pages served beside the API that read only the API."""
