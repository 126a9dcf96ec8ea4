// Public API of src/tasks (filled in as the area is built).
