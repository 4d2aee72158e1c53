"""City data in: readings by MQTT, NGSI-LD notifications and HTTP batches, validated in one
path (`validation`, pure), stored in batches outside the timeline's writer lock, and handed to
the trigger rules."""
