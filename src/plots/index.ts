// Public API of src/plots (filled in as the area is built).
