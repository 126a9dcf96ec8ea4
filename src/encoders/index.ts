// Public API of src/encoders (filled in as the area is built).
