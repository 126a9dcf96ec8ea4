// Public API of src/experts (filled in as the area is built).
