// Public API of src/stats (filled in as the area is built).
