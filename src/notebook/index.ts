// Public API of src/notebook (filled in as the area is built).
