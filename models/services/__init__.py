"""The household's services: the models, technician appointments, outage reports, data usage."""
