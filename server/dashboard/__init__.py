"""The supervisor's live dashboard: numbers composed from each domain's query functions (floor sections, seller
metrics, people and devices, the day's forecast, charts). Every function takes the moment it answers for (`now`,
aware UTC) and the warehouse's time zone where a local day matters, so tests can pin time."""
