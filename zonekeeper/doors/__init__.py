"""Door check-in: scans decided at the door, the access log, who is inside, emergencies."""
