"""Email campaigns run by tcma: contacts, lists, mailings, deliveries, suppression."""
