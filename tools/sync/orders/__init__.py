"""The order store writer: ``writer.OrderWriter`` upserts normalized orders batch by batch; each of its jobs
has its own module (placing, de-duplication, upsert, POS-copy links, commission estimates, rollup refresh)."""
